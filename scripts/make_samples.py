#!/usr/bin/env python3
"""Write the sample trackers in ``workbooks/`` (or the folder given) deterministically.

    python scripts/make_samples.py [OUT_DIR]

Every action of the seed action-plan appendix (objectives 1-3 of the Scottish Borders
Commissioning & Implementation Plan, seeds/003) is one tracker row; actions the plan
repeats under several objectives are one row per occurrence, each with its own ID. The
seven KPIs are those of seeds/000 §3.4.

Action text, desired outcomes, timescales, target impact/benefits and funding streams come
from the seed plans. Everything else (progress, status, RAG, dates of update, budgets,
spend, forecasts, commentary, localities, officer names, KPI values) is INVENTED sample
data. No clock and a fixed random seed: the same script writes byte-identical files.
"""

from __future__ import annotations

import calendar
import math
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
CREATED = datetime(2018, 9, 28, 9, 0, 0)          # pinned workbook metadata
AS_OF = date(2018, 9, 30)                          # the sample reporting date
PARTNERSHIP = "Scottish Borders Health & Social Care Partnership"
TRACKER_TITLE = "Commissioning & Implementation Plan \u2013 Action Tracker"
EN = "\u2013"

# --------------------------------------------------------------------------- the seed plan

OBJECTIVES = {
    1: "We will improve the health of the population and reduce the number of hospital "
       "admissions",
    2: "We will improve patient flow within and out with hospital",
    3: "We will improve the capacity within the community for people who have been in "
       "receipt of health and social care services to better manage their own conditions "
       "and support those who care for them",
}

# desired outcome key → (desired outcome, target impact/benefits sentences)
OUTCOMES: dict[str, tuple[str, list[str]]] = {
    "informed": (
        "People will be informed and have access to the right support at the right time.",
        ["Reduced demand on statutory services through increased local alternatives.",
         "Reduced Waiting Lists.", "Increased access to Information and Community Support.",
         "Reduced Revenue Costs from reduced demand."]),
    "admissions": (
        "Health and Social Care Services reduce admission to hospital, improve health and "
        "wellbeing and reduce demand for statutory services.",
        ["Reduced admissions to hospital.", "Improved health and wellbeing.",
         "Reduction in demand for statutory services.", "Reduced demands on GPs.",
         "Improved access to advice on minor health complaints.",
         "Reduced Revenue Costs from reduced demand."]),
    "resources": (
        "Resources are used effectively and efficiently in the provision of health and "
        "social care services.",
        ["Reduced costs through management of demand, reduced unit costs and elimination "
         "of duplication and waste.",
         "Scarce resources will be directed to those most in need and secure best value.",
         "Health and social care will continue to be affordable within a context of "
         "constrained funding, increased cost and greater demand.",
         "Improved outcomes for patients, clients and carers."]),
    "access_info": (
        "People are able to access the information they require within their own "
        "community.",
        ["Quicker and more efficient planning of care and support.",
         "More people at home or in a homely setting including when at the end of their "
         "life.",
         "Reduced demand for care at home and other health and social care services.",
         "Reduced Revenue Costs from reduced demand and greater efficiency"]),
    "access_care": (
        "People are able to access the care and support they require within their own "
        "community.",
        ["Quicker and more efficient planning of care and support.",
         "More people at home or in a homely setting including when at the end of their "
         "life.",
         "Reduced demand for care at home and other health and social care services.",
         "Reduced Revenue Costs from reduced demand and greater efficiency"]),
    "inequalities": (
        "Health and social care services will reduce health inequalities.",
        ["All people newly diagnosed with dementia are offered at least one year "
         "post-diagnostic support.",
         "Local health and social care services which are designed to meet local need.",
         "Improved standard of health centre premises.",
         "Increased community support work form improved health centres.",
         "Improved GP services.",
         "Greater focus on prevention will result in reduced Revenue costs from reduced "
         "demand and increased efficiency."]),
    "community_services": (
        "People will be able to access a range of community-based health and social care "
        "services.",
        ["Reduced demand on statutory services through increased local alternatives.",
         "Reduced Waiting Lists.", "Increased access to Information and Community Support.",
         "Reduced Revenue Costs from reduced demand."]),
    "alternatives": (
        "Provide people with alternatives to hospital care.",
        ["Reduced emergency admissions and associated bed days.",
         "Reduce re-admissions to hospital.", "Reduced Revenue Costs from reduced demand."]),
    "integration": (
        "The delivery of health and social care services is improved through more "
        "integration at a local level.",
        ["Decreased duplication and more streamlined and efficient delivery of health and "
         "social care services at a local level.",
         "Reduced demand on statutory services through increased local alternatives.",
         "Increased access to Information and Community Support.",
         "Reduced Revenue Costs from reduced demand and greater efficiency."]),
    "choice": (
        "People who use health and social care services have their dignity and right to "
        "choice respected.",
        ["Improved care pathways for all care groups.",
         "Increased opportunities to have greater choice and control over planned care and "
         "support.",
         "Improved consistency and equity in the application of the Resource Allocation "
         "System.",
         "Responsibility for spend of allocated personal budget is transferred to "
         "individuals."]),
    "carers": (
        "People who provide unpaid care are supported to look after their own health and "
        "wellbeing in order to fulfil their caring role.",
        ["Improved and more consistent support for carers.",
         "Better understanding of the numbers of people providing informal care."]),
}
# objective 3 prints "post-diagostic" where objective 1 prints "post-diagnostic"
OUTCOME_VARIANTS = {(3, "inequalities"): ("post-diagnostic", "post-diagostic")}

ICF, TP, CORE, EXT, SCF = ("(Integrated Care Fund)", "(Transformation Programme)",
                           "(Core Funding Investment)", "(Other External Funding)",
                           "(Social Care Fund)")

PHARMACY = (
    "1 Pharmacy teams are taking on new responsibilities within GP surgeries in line with "
    "the new GMS contract pharmacotherapy service. This includes case management, "
    "supporting long term conditions (particularly respiratory disease and diabetes), care "
    "homes and polypharmacy reviews. The work should help prevent medication-related "
    "admissions and improve the quality of disease management.\n"
    "2 A clinical technician is in place to support medicines management at discharge and "
    "an ICF project (using a project manager and pharmacy technician) is testing pharmacy "
    "input to patients receiving care packages. A change in the way pharmacy services are "
    "provided to the wards is speeding up the discharge process by helping to ensure "
    "medicines are ready in advance and increasing patient contact to discuss medicine "
    "issues. Medicine reviews of patients on certain medicines know to cause acute kidney "
    "injury was set up 2 years ago (Sick Day Rules). This has been shown in another Board "
    "to reduce admissions. We will continue to promote this service.\n"
    "3 Increased funding for pharmacy services through the Primary Care Transformation Fund "
    "is support and increase in capacity within GP surgeries. The ICF project will free up "
    "capacity within community pharmacies by reducing carer's reliance on medicines "
    "compliance aids (MCAs), which are timely to prepare and provide a safer system to "
    "support medicines management by carers.\n"
    "We continue to develop the role of the community pharmacist to improve health and "
    "wellbeing, reduce admissions and demand for other services, eg. BECS through Pharmacy "
    "First, medicines review, carer support and using quality improvement techniques")

PDS = (
    "We will continue to deliver Post Diagnostic Support to a higher proportion of people "
    "with dementia. In the last year the NHS Mental Health Older Adult service has moved "
    "from paper to electronic records (EMIS) affording the opportunity for revision of our "
    "Post Diagnostic Support pathway which is under way. At beginning of May 2018 a revised "
    "recording template will be implemented to provide a live and interactive template for "
    "each person with a diagnosis of dementia and will allow direct national reporting and "
    "local audits to be conducted which will result in improved PDS going forward.")

# action key → (What Will We Do?, timescales as printed, funding as printed or None)
# None = the seed prints no funding bracket; SUPPLIED_FUNDING gives the sample's choice.
ACTIONS: dict[str, tuple[str, str, str | None]] = {
    "lac": ("We will develop Local Area Co-ordination (LAC) for adults and older people.",
            "July 2017 \u2013 October 2018", None),
    "lac_staff": (
        "After an analysis of demand the additional funding was utilised to recruit 2 "
        "part-time Local Area Co-ordinators and 2 part-time Community Link Workers. This has "
        "enabled an improved geographical spread for the Local Area Co-ordination Service in "
        "mental health across the Borders.", "April 2017 \u2013 March 2020", CORE),
    "day_services": ("We will redesign day services with a focus on early intervention and "
                     "prevention.", "April 2017 \u2013 October 2018", TP),
    "community_capacity": (
        "We are building on the work and expanding the Community Capacity Team and have "
        "introduced Community Link Workers from April 2018 to support people to access "
        "alternatives to statutory services. This is being piloted in the Central and "
        "Berwickshire Areas.", "April 2018 \u2013 July 2019", ICF),
    "pharmacy": (PHARMACY, "April 2017 \u2013 March 2018", ICF),
    "partnership_programmes": (
        "We will deliver on our partnership information our Integrated Transformation and "
        "Integrated Care Fund programmes.", "April 2017 \u2013 March 2019", f"{TP} {ICF}"),
    "workforce": ("We will deliver our three year Workforce Plan.",
                  "October 2016 \u2013 March 2019", CORE),
    "shift_resources": ("We will shift resources from acute health and social care to "
                        "community settings.", "April 2017 \u2013 March 2019", f"{TP} {ICF}"),
    "best_value": ("We will demonstrate best value in the commissioning and delivery of "
                   "health and social care.", "April 2017 \u2013 March 2019", None),
    "invest_realign": (
        "We will invest in and realign resources to deliver our strategic priorities and "
        "disinvest from services not required.", "April 2017 \u2013 March 2019",
        f"{TP} {ICF} {CORE}"),
    "cost_effective": (
        "We will design and implement cost-effective alternatives to traditional, costly "
        "models of care.", "April 2017 \u2013 March 2019", f"{TP} {ICF} {CORE}"),
    "matching_unit": ("We will extend the scope of the Matching Unit to source care and "
                      "respite care at home to meet assessed need.",
                      "June 2017 \u2013 December 2018", ICF),
    "buurtzorg": ("We will plan and deliver health and social care services by locality "
                  "area, using the Buurtzorg model of care.", "April 2017 \u2013 March 2019",
                  f"{ICF} {TP}"),
    "telecare": ("We will increase the use of telecare and telehealthcare.",
                 "October 2017 \u2013 June 2018", TP),
    "housing_with_care": ("We will increase the provision of Housing with Care and Extra "
                          "Care Housing.", "April 2017 \u2013 March 2020",
                          "(Core Fund Investment)"),
    "health_centres": (
        "We will continue to review the standard of our health centres as part of the "
        "Primary Care Modernisation Programme. This is directly linked to the new GMS "
        "Contract.", "April 2017 \u2013 March 2018", CORE),
    "cluster_leads": (
        "The Cluster Leads is concluded, as we have to have cluster leads as part of the new "
        "contract. This is directly linked to the new GMS Contract.",
        "April 2017 \u2013 March 2018", ICF),
    "pds": (PDS, "October 2017 \u2013 October 2018", CORE),
    "gp_referrals": (
        "We will continue to increase appropriate GP referrals for people with dementia. "
        "Over the last year primary care colleagues have been alerted to the importance of "
        "referrals of people with a suspected diagnosis of dementia through a variety of "
        "means. Including at the November Medical Education session and a data cleansing "
        "process matching diagnoses known in mental health with the primary care dementia "
        "register.", "October 2017 \u2013 October 2018", CORE),
    "what_matters": (
        "Weekly 'What Matters' hubs are now operational in all five Scottish Borders "
        "Localities, with additional less frequent more rural satellite hubs being "
        "considered for future development.", "October 2016 \u2013 April 2019", ICF),
    "rapid_assessment": ("We will continue to support Rapid Assessment for Discharge Team at "
                         "the hospital front door.", "April 2017 \u2013 March 2018", ICF),
    "transitional_care": (
        "We will support Transitional Care as a model of service delivery for people over "
        "the age of 50 who no longer require in-patient care but who do require up to 6 "
        "weeks rehabilitation outside of a hospital environment in order to regain and "
        "retain maximum levels of independence in their own home.",
        "December 2017 \u2013 December 2018", ICF),
    "discharge_to_assess": (
        "We will support a range of models of Discharge to Assess in order to reduce delays "
        "to hospital discharge for adults who are medically fit for discharge and have not "
        "yet regained sufficiently to live independently at home. The models we are "
        "currently support includes:\n"
        "(a) Craw Wood Discharge to Assess residential facility for up to 15 adults.\n"
        "(b) Berwickshire Hospital to Home Pilot Project.\n"
        "(c) Hawick Hospital to Home Pilot Project.\n"
        "(d) Central Discharge to Asses at Home Project.",
        "December 2017 \u2013 October 2018", ICF),
    "step_up": ("We will develop \"step-up\" facilities to prevent hospital admissions and "
                "increase opportunities for short-term placements.",
                "April 2017 \u2013 March 2018", ICF),
    "frailty": ("We will develop a co-produced transition-friendly pathway articulated in a "
                "new Frailty Improvement Plan.", "April 2017 \u2013 March 2018", CORE),
    "hendry_review": (
        "A review has been completed by Prof Anne Hendry regarding the existing model for "
        "community hospital and day hospital provision in the Borders. Work is now being "
        "progressed to link this with previous work undertaken by John Bolton to under a "
        "modernisation programme for the delivery of primary and community health care "
        "models.", "April 2017 \u2013 March 2018", TP),
    "reablement": ("We will redesign the way care at home services are delivered to ensure "
                   "a re-ablement approach.", "March 2018 \u2013 October 2018", TP),
    "dbi": ("The Distress Brief Intervention Service has now been commissioned and commenced "
            "a role out in October 2017.", "April 2017 \u2013 March 2020", ICF),
    "locality_mgmt": ("We will develop integrated locality management.",
                      "June 2017 \u2013 October 2018", CORE),
    "sds": ("We will continue to increase the number of people assessed for all Self "
            "Directed Support options.", "April 2016 \u2013 March 2019", CORE),
    "ras": ("The Resource Allocation System (RAS) has been reviewed and recommendations now "
            "being discussed through SDS Forums.", "October 2017 \u2013 March 2018", None),
    "tcat": ("The pilot phase of the Transforming Care after Treatment Programme is "
             "complete. It will continue in Tweeddale and a rollout to the rest of the "
             "Borders is commencing with Eildon.", "March 2018 \u2013 December 2018", EXT),
    "carers_act": ("We will deliver the requirements of the Carers (Scotland) Act 2016 by "
                   "1st April 2018.", "April 2017 \u2013 March 2018", EXT),
    "carers_centre": ("We will continue to commission the Borders Carers Centre to "
                      "undertake all carers' assessments.", "April 2017 \u2013 March 2019",
                      CORE),
    "critical_needs": ("We will meet all identified carer needs which are assessed as "
                       "critical.", "April 2017 \u2013 March 2019", CORE),
}
# the seed prints no funding for these: the samples' (invented) choice
SUPPLIED_FUNDING = {"lac": CORE, "best_value": CORE, "ras": SCF}
# per objective, the seed prints some funding differently: kept as printed
FUNDING_AS_PRINTED = {
    (1, "cost_effective"): f"{TP} {ICF}, {CORE}",
    (1, "health_centres"): "(Core Fund Investment)",
}

# The plan in seed order: objective → [(desired outcome key, [action keys])]
PLAN: dict[int, list[tuple[str, list[str]]]] = {
    1: [("informed", ["lac", "lac_staff"]),
        ("admissions", ["day_services", "community_capacity", "pharmacy"]),
        ("resources", ["partnership_programmes", "workforce", "shift_resources",
                       "best_value", "invest_realign", "cost_effective"]),
        ("access_info", ["matching_unit", "buurtzorg", "telecare", "housing_with_care"]),
        ("inequalities", ["health_centres", "cluster_leads", "pds", "gp_referrals"])],
    2: [("resources", ["partnership_programmes", "workforce", "shift_resources",
                       "best_value", "invest_realign", "cost_effective"]),
        ("inequalities", ["health_centres", "cluster_leads", "pds", "gp_referrals"])],
    3: [("community_services", ["what_matters"]),
        ("informed", ["lac", "lac_staff"]),
        ("admissions", ["day_services", "community_capacity", "pharmacy"]),
        ("alternatives", ["rapid_assessment", "transitional_care", "discharge_to_assess",
                          "step_up", "frailty", "hendry_review", "reablement", "dbi"]),
        ("access_care", ["matching_unit", "buurtzorg", "telecare", "housing_with_care"]),
        ("integration", ["locality_mgmt"]),
        ("choice", ["sds", "ras", "tcat"]),
        ("resources", ["partnership_programmes", "workforce", "shift_resources",
                       "best_value", "invest_realign", "cost_effective"]),
        ("inequalities", ["pds", "gp_referrals", "health_centres", "cluster_leads"]),
        ("carers", ["carers_act", "carers_centre", "critical_needs"])],
}

# --------------------------------------------------------------------------- invented data

# action key → (lead officer, status, % complete, officer RAG, commentary, corrective)
# status "In progress" with the end date passed = overdue. All INVENTED.
PROGRESS: dict[str, tuple[str, str, int, str | None, str, str]] = {
    "lac": ("Morag Elliot", "In progress", 90, "G",
            "Local Area Co-ordination now operating in all five localities; the evaluation "
            "report is being drafted for the IJB in October.", ""),
    "lac_staff": ("Morag Elliot", "In progress", 50, "G",
                  "Both part-time Local Area Co-ordinators and Community Link Workers are in "
                  "post. Referrals from the community mental health teams are up on last "
                  "quarter.", ""),
    "day_services": ("Morag Elliot", "In progress", 60, "A",
                     "Consultation on the day services redesign closed six weeks late and the "
                     "options appraisal is still with the Programme Board.",
                     "Options appraisal to the Programme Board on 18/10/2018; ask the IJB to "
                     "extend the end date to March 2019."),
    "community_capacity": ("Morag Elliot", "In progress", 35, "G",
                           "Community Link Workers started in Central and Berwickshire in "
                           "April; 140 referrals so far, mostly from GP practices.", ""),
    "pharmacy": ("Fiona Laidlaw", "Complete", 100, "B",
                 "Pharmacotherapy posts are embedded in 12 practices. The MCA project closed "
                 "in March and its evaluation has gone to the ICF board.", ""),
    "partnership_programmes": ("Iain Scott", "In progress", 70, "G",
                               "ICF and transformation programme reports go to every "
                               "Executive Management Team; 24 of 31 ICF projects now report "
                               "against outcomes.", ""),
    "workforce": ("Jen Armstrong", "In progress", 65, "G",
                  "Most year 2 actions are delivered, but a joint workforce data set is "
                  "still not agreed between the NHS and council HR systems.",
                  "HR leads to agree a single workforce data set by November 2018."),
    "shift_resources": ("Graeme Turnbull", "In progress", 45, "G",
                        "The business case for moving resource into community teams is not "
                        "yet agreed; winter pressures in acute services delayed the work.",
                        "Set-aside budget review with NHS Borders finance; revised plan to "
                        "the IJB in December 2018."),
    "best_value": ("Graeme Turnbull", "In progress", 75, "G",
                   "Best value reviews of the care home and home care contracts are "
                   "complete; learning disability contracts are next.", ""),
    "invest_realign": ("Graeme Turnbull", "In progress", 60, "A",
                       "Disinvestment proposals are waiting for the IJB financial plan; two "
                       "small services have been decommissioned.",
                       "Remaining disinvestment options to the IJB budget workshop in "
                       "November."),
    "cost_effective": ("Graeme Turnbull", "In progress", 70, "G",
                       "Alternatives to residential care and hospital-based rehabilitation "
                       "are being costed with the Transformation team.", ""),
    "matching_unit": ("Alison Kerr", "In progress", 80, "G",
                      "The Matching Unit now sources respite as well as care at home; "
                      "average time to source a package is down from 9 to 5 days.", ""),
    "buurtzorg": ("Alison Kerr", "On hold", 55, "A",
                  "Buurtzorg test of change paused after the team leader left in July; the "
                  "first-year evaluation is being finished.",
                  "Recruit a team leader (advert closes 12/10/2018) and restart in Eildon."),
    "telecare": ("Peter Douglas", "In progress", 85, "A",
                 "Telecare referrals are up 18%, but procurement of the telehealthcare "
                 "monitoring kit slipped into the autumn.",
                 "Complete procurement through the national framework in October 2018; "
                 "revised end date December 2018."),
    "housing_with_care": ("Alison Kerr", "On hold", 35, "A",
                          "The Extra Care Housing site in Duns is on hold while the housing "
                          "association reviews build costs.",
                          "Housing strategy lead to bring revised site options to the "
                          "Strategic Planning Group in November."),
    "health_centres": ("Dr Euan Renwick", "Complete", 100, "B",
                       "Premises review completed and reported to the Primary Care "
                       "Modernisation Board; findings feed the GMS contract implementation "
                       "plan.", ""),
    "cluster_leads": ("Dr Euan Renwick", "Cancelled", 40, None,
                      "Withdrawn: cluster leads are now a requirement of the new GMS "
                      "contract, so they are no longer funded through this action.", ""),
    "pds": ("Lesley Brydon", "In progress", 75, "G",
            "The new EMIS template has been live since May 2018, but a backlog of about 40 "
            "people waiting for post-diagnostic support remains.",
            "Extra link worker hours agreed with Alzheimer Scotland until March 2019."),
    "gp_referrals": ("Lesley Brydon", "In progress", 90, "G",
                     "Dementia register cleansing complete in 20 of 23 practices; referrals "
                     "up 12% on last year.", ""),
    "what_matters": ("Alison Kerr", "In progress", 75, "G",
                     "Weekly hubs running in all five localities; two rural satellite hubs "
                     "(Newcastleton and West Linton) are being scoped.", ""),
    "rapid_assessment": ("Iain Scott", "Complete", 100, "B",
                         "Team mainstreamed into the Borders General Hospital front door "
                         "service from April 2018.", ""),
    "transitional_care": ("Iain Scott", "In progress", 75, "G",
                          "Transitional care unit open with 8 places; 62 people supported "
                          "so far, 78% went home.", ""),
    "discharge_to_assess": ("Iain Scott", "In progress", 60, "G",
                            "Craw Wood is running at full occupancy. The Hawick Hospital to "
                            "Home pilot could not recruit care staff and started late.",
                            ""),
    "step_up": ("Iain Scott", "In progress", 90, "A",
                "Two step-up beds open in Kelso; the third site was not agreed in time.",
                "Agree the third step-up site with the care home provider by 31/10/2018."),
    "frailty": ("Peter Douglas", "Complete", 100, "B",
                "Frailty Improvement Plan approved by the Strategic Planning Group in March "
                "2018.", ""),
    "hendry_review": ("Peter Douglas", "Complete", 100, "B",
                      "Review findings linked with the earlier modernisation work; "
                      "recommendations accepted by the IJB.", ""),
    "reablement": ("Iain Scott", "In progress", 75, "A",
                   "Re-ablement training for the home care teams is 70% delivered; the new "
                   "rota model starts in Teviot in November.",
                   "Add two training cohorts in October to catch up."),
    "dbi": ("Peter Douglas", "In progress", 50, "G",
            "Distress Brief Intervention is live in Eildon and Teviot; 95 referrals from "
            "Police Scotland and the Emergency Department.", ""),
    "locality_mgmt": ("Alison Kerr", "In progress", 90, "G",
                      "Locality managers appointed for all five areas; joint team meetings "
                      "in place.", ""),
    "sds": ("Craig Hume", "In progress", 80, "G",
            "All new assessments now offer the four SDS options; Option 1 uptake up from "
            "11% to 14%.", ""),
    "ras": ("Craig Hume", "Complete", 100, "B",
            "RAS review completed; the recommendations were agreed at the SDS Forum in "
            "March.", ""),
    "tcat": ("Craig Hume", "In progress", 70, "G",
             "Tweeddale service continuing; Eildon roll-out began in June with 14 people "
             "referred.", ""),
    "carers_act": ("Craig Hume", "Complete", 100, "B",
                   "Adult Carer Support Plans, the Young Carer Statement and the local "
                   "eligibility criteria were all in place by 1 April 2018.", ""),
    "carers_centre": ("Craig Hume", "In progress", 75, "G",
                      "Borders Carers Centre completed 212 adult carer support plans in "
                      "quarter 1.", ""),
    "critical_needs": ("Craig Hume", "In progress", 60, "A",
                       "Not every critical need is met within 28 days; respite capacity is "
                       "the main gap.",
                       "Commission additional short-break capacity from the Matching Unit "
                       "from November."),
}

# action key → (budget, spend to date, forecast outturn); None = no budget held here.
# The first occurrence of an action carries its money; repeats point to it. INVENTED.
MONEY: dict[str, tuple[float, float, float] | None] = {
    "lac": (86000, 41500, 86000),
    "lac_staff": (64000, 30200, 64000),
    "day_services": (150000, 52300, 141000),
    "community_capacity": (112000, 47800, 112000),
    "pharmacy": (98000, 96200, 96200),
    "partnership_programmes": None,
    "workforce": (45000, 19800, 45000),
    "shift_resources": None,
    "best_value": None,
    "invest_realign": None,
    "cost_effective": (250000, 98400, 240000),
    "matching_unit": (48000, 25900, 49250),          # slightly over (2.6 %)
    "buurtzorg": (180000, 61000, 150000),
    "telecare": (60000, 41800, 60000),
    "housing_with_care": None,
    "health_centres": (35000, 34100, 34100),
    "cluster_leads": (40000, 15500, 15500),
    "pds": (72000, 36100, 72000),
    "gp_referrals": None,
    "what_matters": (95000, 47200, 95000),
    "rapid_assessment": (210000, 207400, 207400),
    "transitional_care": (120000, 48700, 97500),     # under by 18.75 %
    "discharge_to_assess": (350000, 205400, 371500),  # over by 6.1 %
    "step_up": (130000, 118900, 130000),
    "frailty": (15000, 14200, 14200),
    "hendry_review": (25000, 25000, 25000),
    "reablement": (90000, 44600, 90000),
    "dbi": (140000, 66300, 140000),
    "locality_mgmt": (55000, 27400, 55000),
    "sds": (30000, 14900, 30000),
    "ras": (12000, 11800, 11800),
    "tcat": (68000, 30400, 68000),
    "carers_act": (180000, 176500, 176500),
    "carers_centre": (310000, 155000, 310000),
    "critical_needs": (75000, 38200, 75000),
}

# localities where the text names a place; others are chosen by the seeded RNG
LOCALITY = {"community_capacity": "Berwickshire", "tcat": "Tweeddale",
            "discharge_to_assess": "Eildon", "housing_with_care": "Berwickshire",
            "buurtzorg": "Eildon", "reablement": "Teviot & Liddesdale",
            "step_up": "Cheviot", "dbi": "Eildon"}
LOCALITIES = ["Berwickshire", "Cheviot", "Eildon", "Teviot & Liddesdale", "Tweeddale"]

# per occurrence: stale updates (June 2018) and other one-offs. INVENTED.
STALE = {"O1-14": date(2018, 6, 12), "O3-10": date(2018, 6, 28), "O3-24": date(2018, 6, 15)}
OCCURRENCE_RAG = {"O3-09": "Green", "O2-03": "Amber"}   # officers differ on repeats


# --------------------------------------------------------------------------- rows

def month_start(text: str) -> date:
    name, year = text.split()
    return date(int(year), list(calendar.month_name).index(name), 1)


def month_end(text: str) -> date:
    d = month_start(text)
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def build_rows(rng: random.Random) -> list[dict]:
    """One dict per action occurrence, in seed order, with its ID (O<obj>-<nn>)."""
    rows: list[dict] = []
    seen_money: set[str] = set()
    # one locality per action, wherever it is repeated
    locality = {key: LOCALITY.get(key) or rng.choice(LOCALITIES) for key in ACTIONS}
    for objective, groups in PLAN.items():
        n = 0
        for outcome_key, keys in groups:
            outcome, benefits = OUTCOMES[outcome_key]
            if (objective, outcome_key) in OUTCOME_VARIANTS:
                old, new = OUTCOME_VARIANTS[(objective, outcome_key)]
                benefits = [b.replace(old, new) for b in benefits]
            for key in keys:
                n += 1
                aid = f"O{objective}-{n:02d}"
                text, timescales, funding = ACTIONS[key]
                funding = FUNDING_AS_PRINTED.get((objective, key)) or funding or \
                    SUPPLIED_FUNDING[key]
                lead, status, pct, rag, comment, corrective = PROGRESS[key]
                first, last = timescales.split(f" {EN} ")
                if status == "Complete":
                    updated = date(2018, rng.choice([4, 5, 6, 8]), rng.randint(2, 28))
                else:
                    updated = date(2018, 8, 20) + timedelta(days=rng.randint(0, 39))
                updated = STALE.get(aid, updated)
                money = MONEY[key]
                if money is not None and key in seen_money:
                    money = "repeat"
                elif money is not None:
                    seen_money.add(key)
                rows.append({
                    "id": aid, "key": key, "objective": objective,
                    "outcome_key": f"{objective}-{outcome_key}", "outcome": outcome,
                    "benefits": benefits, "action": text, "funding": funding,
                    "timescales": timescales, "start": month_start(first),
                    "end": month_end(last), "lead": lead,
                    "locality": locality[key],
                    "status": status, "pct": pct, "rag": OCCURRENCE_RAG.get(aid, rag),
                    "updated": updated, "commentary": comment, "corrective": corrective,
                    "money": money,
                })
    return rows


def expected_percent(row: dict) -> float:
    span = (row["end"] - row["start"]).days
    done = (AS_OF - row["start"]).days
    return max(0.0, min(100.0, 100.0 * done / span))


# --------------------------------------------------------------------------- workbooks

RAG_WORD = {"R": "Red", "A": "Amber", "G": "Green", "B": "Blue"}


class Layout:
    """How one officer lays out a tracker."""

    def __init__(self, **kw):
        self.sheet = kw.get("sheet", "Actions")
        self.first_col = kw.get("first_col", 0)
        self.titles: list[str] = kw["titles"]
        self.columns: list[tuple[str, str, float]] = kw["columns"]  # header, field, width
        self.merge: tuple[str, ...] = kw.get("merge", ())
        self.percent = kw.get("percent", "format")           # "format" | "plain"
        self.dates = kw.get("dates", "date")                 # "date" | "text"
        self.rag = kw.get("rag", "letter")                   # "letter" | "word" | "mixed"
        self.status_words: dict[str, str] = kw.get("status_words", {})
        self.hidden_cols: tuple[str, ...] = kw.get("hidden_cols", ())
        self.hidden_rows: tuple[str, ...] = kw.get("hidden_rows", ())
        self.banners: bool = kw.get("banners", False)
        self.benefit_sep: str = kw.get("benefit_sep", "\n")
        self.broken_timescales: tuple[str, ...] = kw.get("broken_timescales", ())
        self.comments: dict[tuple[str, str], str] = kw.get("comments", {})
        self.author: str = kw["author"]
        self.repeat_money: str | None = kw.get("repeat_money")  # text for repeated actions
        self.validation: bool = kw.get("validation", False)
        self.lookups: bool = kw.get("lookups", False)
        self.locality_words: dict[str, str] = kw.get("locality_words", {})
        self.header_height: float = kw.get("header_height", 30)


def _text_date(d: date, i: int, *, end: bool) -> str:
    """Dates typed by hand, UK order, in the forms officers use."""
    style = i % 3
    if style == 0:
        return d.strftime("%d/%m/%Y")
    if style == 1:
        return f"{d.day}-{d.strftime('%b')}-{d.strftime('%y')}"
    return d.strftime("%B %Y") if end or d.day == 1 else d.strftime("%d/%m/%Y")


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped cell needs at 9pt Arial in a column ``width`` characters wide."""
    per_line = max(1, int(width * 1.4))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def write_tracker(path: Path, layout: Layout, rows: list[dict]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                         "strings_to_urls": False,
                                         "strings_to_numbers": False})
    wb.set_properties({"title": TRACKER_TITLE, "author": layout.author,
                       "company": PARTNERSHIP, "created": CREATED,
                       "comments": "Invented sample data for reportgen"})
    ws = wb.add_worksheet(layout.sheet)
    base = {"valign": "top", "text_wrap": True, "font_name": "Arial", "font_size": 9,
            "border": 1}
    f = {
        "text": wb.add_format(base),
        "centre": wb.add_format({**base, "align": "center"}),
        "date": wb.add_format({**base, "num_format": "dd/mm/yyyy", "align": "center"}),
        "pct": wb.add_format({**base, "num_format": "0%", "align": "center"}),
        "num": wb.add_format({**base, "num_format": "0", "align": "center"}),
        "money": wb.add_format({**base, "num_format": "\u00a3#,##0"}),
        "header": wb.add_format({**base, "bold": True, "bg_color": "#1F4E79",
                                 "font_color": "#FFFFFF", "align": "center",
                                 "valign": "vcenter"}),
        "title": wb.add_format({"bold": True, "font_size": 14, "font_name": "Arial",
                                "font_color": "#1F4E79"}),
        "subtitle": wb.add_format({"bold": True, "font_size": 11, "font_name": "Arial"}),
        "note": wb.add_format({"italic": True, "font_size": 9, "font_name": "Arial"}),
        "banner": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "font_name": "Arial",
                                 "font_size": 10}),
        "banner_fill": wb.add_format({"bg_color": "#DDEBF7"}),
        "merged": wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2"}),
    }
    c0 = layout.first_col
    title_formats = [f["title"], f["subtitle"]] + [f["note"]] * 5
    for r, text in enumerate(layout.titles):
        if text:
            ws.write_string(r, c0, text, title_formats[r])
    header_row = len(layout.titles)
    fields = [fld for _, fld, _ in layout.columns]
    for c, (text, fld, width) in enumerate(layout.columns):
        ws.write_string(header_row, c0 + c, text, f["header"])
        opts = {"hidden": True} if fld in layout.hidden_cols else {}
        ws.set_column(c0 + c, c0 + c, width, None, opts)
    ws.set_row(header_row, layout.header_height)
    if c0:
        ws.set_column(0, c0 - 1, 2.5)

    # the grid: banner rows between objectives (when used), then the action rows
    grid: list[dict | str] = []
    last_obj = None
    for row in rows:
        if layout.banners and row["objective"] != last_obj:
            grid.append(f"Objective {row['objective']}: {OBJECTIVES[row['objective']]}")
        last_obj = row["objective"]
        grid.append(row)

    def value_of(row: dict, fld: str, i: int):
        if fld == "id":
            return row["id"]
        if fld == "objective":
            return row["objective"]
        if fld == "objective_text":
            return OBJECTIVES[row["objective"]]
        if fld == "objective_label":
            return f"Objective {row['objective']}"
        if fld == "outcome":
            return row["outcome"]
        if fld == "benefits":
            return layout.benefit_sep.join(row["benefits"])
        if fld == "action":
            return row["action"]
        if fld == "action_with_funding":
            return f"{row['action']} {row['funding']}"
        if fld == "lead":
            return row["lead"]
        if fld == "locality":
            return layout.locality_words.get(row["locality"], row["locality"])
        if fld == "funding":
            return row["funding"]
        if fld == "timescales":
            text = row["timescales"]
            if row["id"] in layout.broken_timescales:
                text = text.replace(f" {EN} ", f" {EN}\n")
            return text
        if fld in ("start", "end"):
            d = row[fld]
            return _text_date(d, i + (fld == "end"), end=fld == "end") \
                if layout.dates == "text" else d
        if fld == "status":
            return layout.status_words.get(row["status"], row["status"])
        if fld == "pct":
            return row["pct"]
        if fld == "rag":
            rag = row["rag"]
            if rag is None:
                return None
            word = RAG_WORD.get(rag, rag)
            if layout.rag == "letter":
                return word[0]
            if layout.rag == "mixed":
                return word if i % 3 else word.lower()
            return word
        if fld == "updated":
            d = row["updated"]
            if layout.dates == "text" and i % 2:
                return d.strftime("%d/%m/%Y")
            return d
        if fld == "commentary":
            return row["commentary"]
        if fld == "corrective":
            return row["corrective"] or None
        if fld in ("budget", "spend", "forecast"):
            money = row["money"]
            if money is None:
                return None
            if money == "repeat":
                return layout.repeat_money
            return money[("budget", "spend", "forecast").index(fld)]
        raise KeyError(fld)

    first_data = header_row + 1
    r = first_data
    group_start: dict[str, int] = {}
    # rows covered by each merge run, computed before writing
    runs: dict[tuple[str, int], int] = {}   # (field, start row) → last row
    for fld in layout.merge:
        start = None
        prev = None
        rr = first_data
        for item in grid + [None]:
            key = None
            if isinstance(item, dict):
                key = item["outcome_key"] if fld in ("outcome", "benefits") else \
                    item["objective"]
            if start is not None and key != prev:
                runs[(fld, start)] = rr - 1
                start = None
            if key is not None and start is None:
                start = rr
            prev = key
            rr += 1
    del group_start
    covered: set[tuple[str, int]] = set()
    for (fld, start), end in runs.items():
        for x in range(start + 1, end + 1):
            covered.add((fld, x))

    i = 0
    for item in grid:
        if isinstance(item, str):
            ws.write_string(r, c0, item, f["banner"])
            for c in range(1, len(layout.columns)):
                ws.write_blank(r, c0 + c, None, f["banner_fill"])
            ws.set_row(r, 18)
            r += 1
            continue
        row = item
        for c, fld in enumerate(fields):
            col = c0 + c
            if (fld, r) in covered:
                continue
            value = value_of(row, fld, i)
            if fld in layout.merge and (fld, r) in runs and runs[(fld, r)] > r:
                ws.merge_range(r, col, runs[(fld, r)], col, None, f["merged"])
                if isinstance(value, (int, float)):
                    ws.write_number(r, col, value, f["merged"])
                else:
                    ws.write_string(r, col, str(value), f["merged"])
                continue
            if value is None or value == "":
                ws.write_blank(r, col, None, f["text"])
            elif isinstance(value, date):
                ws.write_datetime(r, col, datetime(value.year, value.month, value.day),
                                  f["date"])
            elif fld == "pct":
                if layout.percent == "format":
                    ws.write_number(r, col, value / 100, f["pct"])
                else:
                    ws.write_number(r, col, value, f["num"])
            elif fld in ("budget", "spend", "forecast") and isinstance(value, (int, float)):
                ws.write_number(r, col, value, f["money"])
            elif isinstance(value, (int, float)):
                ws.write_number(r, col, value, f["centre"])
            elif fld in ("id", "status", "rag", "objective_label"):
                ws.write_string(r, col, value, f["centre"])
            else:
                ws.write_string(r, col, value, f["text"])
            if (row["id"], fld) in layout.comments:
                ws.write_comment(r, col, layout.comments[(row["id"], fld)],
                                 {"author": layout.author, "x_scale": 2, "y_scale": 1.5})
        # wrapped text: set the height, since not every program re-measures rows on open
        lines = 1
        for c, (_, fld, width) in enumerate(layout.columns):
            value = value_of(row, fld, i)
            if isinstance(value, str) and fld not in layout.merge:
                lines = max(lines, text_lines(value, width))
        ws.set_row(r, min(409, 12 * lines + 3), None,
                   {"hidden": True} if row["id"] in layout.hidden_rows else {})
        r += 1
        i += 1
    last_row = r - 1
    last_col = c0 + len(layout.columns) - 1

    ws.freeze_panes(first_data, c0 + 1)
    ws.autofilter(header_row, c0, last_row, last_col)
    if "rag" in fields:
        col = c0 + fields.index("rag")
        colours = {"R": "#FF0000", "A": "#FFC000", "G": "#00B050", "B": "#0070C0"}
        for letter, colour in colours.items():
            fmt = wb.add_format({"bg_color": colour, "font_color": "#FFFFFF", "bold": True})
            for word in (letter, RAG_WORD[letter]):
                ws.conditional_format(first_data, col, last_row, col,
                                      {"type": "cell", "criteria": "==",
                                       "value": f'"{word}"', "format": fmt})
    if layout.validation:
        col = c0 + fields.index("status")
        ws.data_validation(first_data, col, last_row + 20, col, {
            "validate": "list",
            "source": ["Not started", "In progress", "Complete", "On hold", "Cancelled"],
            "input_title": "Status", "input_message": "Pick from the list"})
        col = c0 + fields.index("rag")
        ws.data_validation(first_data, col, last_row + 20, col,
                           {"validate": "list", "source": ["R", "A", "G", "B"]})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    if layout.lookups:
        lk = wb.add_worksheet("Lookups")
        lists = {"Status list": ["Not started", "In progress", "Complete", "On hold",
                                 "Cancelled"],
                 "RAG key": ["R = Red", "A = Amber", "G = Green", "B = Blue (complete)"],
                 "Localities": LOCALITIES}
        for c, (head, values) in enumerate(lists.items()):
            lk.write_string(0, c, head, f["header"])
            lk.set_column(c, c, 22)
            for rr, v in enumerate(values, start=1):
                lk.write_string(rr, c, v)
    wb.close()


# --------------------------------------------------------------------------- the four files

def layouts() -> list[tuple[str, Layout, object]]:
    """(file name, layout, row filter)."""
    o3_patient_flow = {"rapid_assessment", "transitional_care", "discharge_to_assess",
                       "step_up", "frailty", "hendry_review", "reablement", "dbi"}
    o3_carers_sds = {"sds", "ras", "tcat", "carers_act", "carers_centre", "critical_needs"}

    elliot = Layout(
        sheet="Action Plan", first_col=1, author="Morag Elliot",
        titles=[PARTNERSHIP, f"{TRACKER_TITLE}: Objective 1 (Prevention)",
                "Updated: 28/09/2018 by Morag Elliot, Lead Officer", ""],
        columns=[("Ref", "id", 7), ("Objective", "objective", 9),
                 ("Desired Outcome", "outcome", 24), ("What Will We Do?", "action", 48),
                 ("Lead Officer", "lead", 14), ("Locality", "locality", 13),
                 ("Funding Stream", "funding", 22), ("Timescales", "timescales", 14),
                 ("Target Impact/Benefits", "benefits", 32), ("Status", "status", 11),
                 ("% Complete", "pct", 9), ("RAG", "rag", 6),
                 ("Last Updated", "updated", 11), ("Progress Update", "commentary", 40),
                 ("Corrective Action", "corrective", 30), ("Budget (\u00a3)", "budget", 11),
                 ("Spend to Date", "spend", 11), ("Forecast Outturn", "forecast", 11)],
        merge=("objective", "outcome", "benefits"), percent="format", rag="letter",
        hidden_cols=("locality",), broken_timescales=("O1-02", "O1-07", "O1-15"),
        comments={("O1-03", "pct"): "Morag Elliot:\nConsultation closed late - see "
                                    "corrective action.",
                  ("O1-12", "forecast"): "Finance: includes a £1,250 agency cost "
                                         "agreed in August."},
        repeat_money=None)
    scott = Layout(
        sheet="Actions", first_col=0, author="Iain Scott",
        titles=[f"{PARTNERSHIP} \u2013 {TRACKER_TITLE}",
                "Patient flow: Objective 2 and Objective 3 (alternatives to hospital care)"
                "   Updated: 27/09/2018", ""],
        columns=[("ID", "id", 7), ("Objective", "objective_label", 11),
                 ("Outcome", "outcome", 26), ("Action", "action", 50),
                 ("Owner", "lead", 13), ("Area", "locality", 13),
                 ("Start Date", "start", 11), ("End Date", "end", 11),
                 ("Funding", "funding", 24), ("Benefits", "benefits", 34),
                 ("Status", "status", 11), ("Progress %", "pct", 9),
                 ("Officer RAG", "rag", 9), ("Date of Update", "updated", 11),
                 ("Commentary", "commentary", 42), ("Mitigating Actions", "corrective", 30),
                 ("Budget (\u00a3)", "budget", 11), ("Spend to Date (\u00a3)", "spend", 11),
                 ("Forecast Outturn (\u00a3)", "forecast", 12)],
        merge=("objective_label", "outcome"), percent="plain", dates="date", rag="word",
        status_words={"In progress": "In Progress", "On hold": "On Hold"},
        banners=True, benefit_sep=" ", hidden_rows=("O3-12",),
        locality_words={"Teviot & Liddesdale": "Teviot and Liddesdale"},
        comments={("O3-09", "rag"): "Iain Scott:\nGreen because Craw Wood is full - "
                                    "H2H pilots are behind."},
        repeat_money=None)
    kerr = Layout(
        sheet="Implementation Plan", first_col=0, author="Alison Kerr",
        titles=[PARTNERSHIP, TRACKER_TITLE,
                "Objective 3 \u2013 community capacity. Updated: 26/09/2018", ""],
        columns=[("Action Ref", "id", 8), ("Local Objective", "objective_text", 22),
                 ("Desired Outcome", "outcome", 24), ("Description", "action", 46),
                 ("Responsible Officer", "lead", 14), ("Locality", "locality", 13),
                 ("Source of Funding", "funding", 22), ("Planned Start", "start", 12),
                 ("Target Date", "end", 12), ("Target Impact", "benefits", 30),
                 ("Current Status", "status", 11), ("% Completed", "pct", 9),
                 ("RAG Status", "rag", 8), ("Last Update", "updated", 11),
                 ("Progress Comments", "commentary", 40), ("Remedial Action", "corrective", 30),
                 ("Allocated Budget", "budget", 12), ("Actual Spend", "spend", 12),
                 ("Projected Outturn", "forecast", 12)],
        merge=("objective_text", "outcome"), percent="plain", dates="text", rag="mixed",
        status_words={"In progress": "Ongoing", "Complete": "Completed", "On hold": "Paused"},
        hidden_rows=("O3-05",), hidden_cols=("budget",), benefit_sep=" ",
        comments={("O3-17", "status"): "Alison Kerr:\nWaiting on housing association "
                                       "board decision.",
                  ("O3-27", "budget"): "Budget held on the Objective 1 tracker (O1-10)."},
        repeat_money="N/A")
    hume = Layout(
        sheet="Tracker", first_col=1, author="Craig Hume",
        titles=[PARTNERSHIP, f"{TRACKER_TITLE} \u2013 Carers and Self Directed Support",
                "Updated: 25/09/2018"],
        columns=[("Action No", "id", 8), ("Objective No", "objective", 9),
                 ("Desired Outcomes", "outcome", 26), ("What we will do", "action", 46),
                 ("Lead Officer(s)", "lead", 13), ("Locality Area", "locality", 13),
                 ("Funding Source", "funding", 22),
                 ("Timescales\nStart and End Date", "timescales", 15),
                 ("Expected Benefits", "benefits", 32), ("Action Status", "status", 12),
                 ("Progress (%)", "pct", 9), ("Self-assessed RAG", "rag", 9),
                 ("Date Updated", "updated", 11), ("Progress\nCommentary", "commentary", 40),
                 ("Corrective Actions", "corrective", 30), ("Budget \u00a3", "budget", 11),
                 ("Expenditure to Date", "spend", 11), ("Outturn", "forecast", 11)],
        merge=("objective", "outcome", "benefits"), percent="format", rag="letter",
        broken_timescales=("O3-20", "O3-22", "O3-34"), validation=True, lookups=True,
        header_height=42, repeat_money=None)
    return [
        ("Objective1_Prevention_MElliot.xlsx", elliot, lambda r: r["objective"] == 1),
        ("Objective2_PatientFlow_IScott.xlsx", scott,
         lambda r: r["objective"] == 2 or (r["objective"] == 3 and r["key"] in o3_patient_flow)),
        ("Objective3_Community_AKerr.xlsx", kerr,
         lambda r: r["objective"] == 3 and r["key"] not in o3_patient_flow | o3_carers_sds),
        ("Objective3 Carers & SDS - C Hume.xlsx", hume,
         lambda r: r["objective"] == 3 and r["key"] in o3_carers_sds),
    ]


# --------------------------------------------------------------------------- KPIs

MONTHS = [date(2017 + (3 + m) // 12, (3 + m) % 12 + 1, 1) for m in range(18)]  # Apr 17–Sep 18

# id, indicator (seed 000 §3.4), outcomes, unit, polarity, target, tolerance, compare with
KPIS = [
    ("KPI-01", "Percentage of people who are discharged from hospital within 72 hours of "
               "being ready", "2, 3, 9", "%", "Higher is better", 72, 5, "Previous month"),
    ("KPI-02", "Number of bed days people spend in hospital when they are ready to be "
               "discharged", "2, 3, 4, 9", "number", "Lower is better", 900, 150,
     "Previous month"),
    ("KPI-03", "Overall rates of emergency hospital admissions", "1, 2, 4, 5, 7",
     "rate per 1,000", "Lower is better", 9.8, 0.5, "Same month last year"),
    ("KPI-04", "Readmissions to hospital within 28 days of discharge", "2, 3, 7, 9", "%",
     "Lower is better", 9.0, 1.0, "Previous month"),
    ("KPI-05", "Admissions to hospital in the over 65s as a result of falls", "2, 4, 7, 9",
     "number", "Lower is better", 50, 8, "Same month last year"),
    ("KPI-06", "Percentage of adults with intensive care needs receiving care at home", "6",
     "%", "Higher is better", 63, 2, "Previous month"),
    ("KPI-07", "Proportion of employees who would recommend their workplace as a good place "
               "to work", "8", "%", "Higher is better", 65, 5, "Previous month"),
]
WINTER = {11: 0.4, 12: 0.8, 1: 1.0, 2: 0.7, 3: 0.3}   # seasonal weight by month


def kpi_series(rng: random.Random) -> dict[str, list[float | None]]:
    """Invented monthly values, Apr 2017 - Sep 2018."""
    out: dict[str, list[float | None]] = {}
    # KPI-01: a real improvement from January 2018 (9 months above the mean)
    out["KPI-01"] = [round((58.5 if m < date(2018, 1, 1) else 67.5) + rng.uniform(-3, 3), 1)
                     for m in MONTHS]
    # KPI-02: bed days lost to delays, steady with one spike in January 2018
    out["KPI-02"] = [round(1010 + rng.uniform(-70, 70)) for _ in MONTHS]
    out["KPI-02"][MONTHS.index(date(2018, 1, 1))] = 1395
    # KPI-03: emergency admission rate per 1,000, winter peaks
    out["KPI-03"] = [round(9.4 + 1.4 * WINTER.get(m.month, 0) + rng.uniform(-0.2, 0.2), 2)
                     for m in MONTHS]
    # KPI-04: 28-day readmissions, drifting down (a run of 7+ below the mean late on)
    out["KPI-04"] = [round((10.3 if i < 10 else 8.8) + rng.uniform(-0.6, 0.6), 1)
                     for i, _ in enumerate(MONTHS)]
    # KPI-05: falls admissions 65+, winter peaks
    out["KPI-05"] = [round(47 + 18 * WINTER.get(m.month, 0) + rng.uniform(-5, 5))
                     for m in MONTHS]
    # KPI-06: % intensive care needs at home, a step up from October 2017
    out["KPI-06"] = [round((60.6 if m < date(2017, 10, 1) else 63.4) + rng.uniform(-0.5, 0.5),
                           1) for m in MONTHS]
    # KPI-07: staff survey, quarterly (blank months between)
    staff = {date(2017, 6, 1): 57.0, date(2017, 9, 1): 58.0, date(2017, 12, 1): 58.0,
             date(2018, 3, 1): 61.0, date(2018, 6, 1): 62.0, date(2018, 9, 1): 63.0}
    out["KPI-07"] = [staff.get(m) for m in MONTHS]
    return out


def write_kpis(path: Path, rng: random.Random) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                         "strings_to_urls": False,
                                         "strings_to_numbers": False})
    wb.set_properties({"title": "Key Performance Indicators", "author": "Planning & "
                       "Performance Officer", "company": PARTNERSHIP, "created": CREATED,
                       "comments": "Invented sample data for reportgen"})
    ws = wb.add_worksheet("KPIs")
    base = {"font_name": "Arial", "font_size": 9, "border": 1, "valign": "top"}
    title = wb.add_format({"bold": True, "font_size": 14, "font_name": "Arial",
                           "font_color": "#1F4E79"})
    note = wb.add_format({"italic": True, "font_size": 9, "font_name": "Arial"})
    header = wb.add_format({**base, "bold": True, "bg_color": "#1F4E79",
                            "font_color": "#FFFFFF", "text_wrap": True, "align": "center"})
    month_head = wb.add_format({**base, "bold": True, "bg_color": "#1F4E79",
                                "font_color": "#FFFFFF", "num_format": "mmm yyyy",
                                "align": "center"})
    text = wb.add_format({**base, "text_wrap": True})
    centre = wb.add_format({**base, "align": "center", "text_wrap": True})
    formats = {"%": wb.add_format({**base, "num_format": "0.0"}),
               "number": wb.add_format({**base, "num_format": "#,##0"}),
               "rate per 1,000": wb.add_format({**base, "num_format": "0.00"})}
    ws.write_string(0, 0, f"{PARTNERSHIP} \u2013 Key Performance Indicators", title)
    ws.write_string(1, 0, "Commissioning & Implementation Plan, section 3.4. Monthly "
                          "values; the staff survey is quarterly.", note)
    heads = ["KPI ID", "Indicator", "Health & Wellbeing Outcomes", "Unit", "Polarity",
             "Target", "Tolerance", "Compare With"]
    widths = [8, 44, 12, 10, 13, 8, 9, 14]
    for c, (h, w) in enumerate(zip(heads, widths)):
        ws.write_string(2, c, h, header)
        ws.set_column(c, c, w)
    for j, m in enumerate(MONTHS):
        ws.write_datetime(2, len(heads) + j, datetime(m.year, m.month, m.day), month_head)
    ws.set_column(len(heads), len(heads) + len(MONTHS) - 1, 9)
    ws.set_row(2, 30)
    series = kpi_series(rng)
    for i, (kid, ind, outcomes, unit, polarity, target, tol, comp) in enumerate(KPIS):
        r = 3 + i
        num = formats[unit]
        ws.set_row(r, 12 * text_lines(ind, widths[1]) + 3)
        ws.write_string(r, 0, kid, centre)
        ws.write_string(r, 1, ind, text)
        ws.write_string(r, 2, outcomes, centre)
        ws.write_string(r, 3, unit, centre)
        ws.write_string(r, 4, polarity, centre)
        ws.write_number(r, 5, target, num)
        ws.write_number(r, 6, tol, num)
        ws.write_string(r, 7, comp, centre)
        for j, v in enumerate(series[kid]):
            if v is None:
                ws.write_blank(r, len(heads) + j, None, num)
            else:
                ws.write_number(r, len(heads) + j, v, num)
    ws.write_comment(3 + 1, len(heads) + MONTHS.index(date(2018, 1, 1)),
                     "January 2018: norovirus ward closures and care home beds closed to "
                     "admissions.", {"author": "Planning & Performance Officer",
                                     "x_scale": 2})
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, 2 + len(KPIS), len(heads) + len(MONTHS) - 1)
    ws.set_landscape()
    wb.close()


# --------------------------------------------------------------------------- main

def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "workbooks"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20180930)
    rows = build_rows(rng)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate IDs"
    placed: set[str] = set()
    for name, layout, keep in layouts():
        mine = [r for r in rows if keep(r)]
        placed.update(r["id"] for r in mine)
        write_tracker(out / name, layout, mine)
        print(f"{name}: {len(mine)} actions")
    assert placed == set(ids), f"unplaced: {sorted(set(ids) - placed)}"
    write_kpis(out / "KPIs.xlsx", random.Random(7))
    print(f"KPIs.xlsx: {len(KPIS)} indicators x {len(MONTHS)} months")
    print(f"{len(rows)} actions in all")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
