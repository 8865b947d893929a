"""What the demo holds: its people, departments, rubric, judges' feedback and the ideas of the
teams in its two campaigns (plain data; ``web.demo`` writes it to the database).
"""

from __future__ import annotations

from dataclasses import dataclass

DEPARTMENTS = ("Operations", "Finance", "Sales", "Engineering", "HR", "Logistics")

# e-mail: (name, department, role)
PEOPLE: dict[str, tuple[str, str, str]] = {
    "admin@example.com": ("Morgan Ellis", "HR", "admin"),
    "exec@example.com": ("Helen Zhou", "Operations", "executive"),
    "organizer@example.com": ("Omar Haddad", "HR", "organizer"),
    "judge1@example.com": ("Priya Raman", "Engineering", "judge"),
    "judge2@example.com": ("陈静", "Finance", "judge"),
    "judge3@example.com": ("Marcus Webb", "Sales", "judge"),
    "judge4@example.com": ("Sofia Lindqvist", "Operations", "judge"),
    "judge5@example.com": ("刘洋", "Logistics", "judge"),
    "alice@example.com": ("Alice Martin", "Logistics", "participant"),
    "bob@example.com": ("Bob Nguyen", "Engineering", "participant"),
    "carol@example.com": ("Carol Schmidt", "Finance", "participant"),
    "dave@example.com": ("Dave Okafor", "Engineering", "participant"),
    "erin@example.com": ("Erin Walsh", "Logistics", "participant"),
    "frank@example.com": ("Frank Moreau", "Operations", "participant"),
    "grace@example.com": ("Grace Kim", "Engineering", "participant"),
    "heidi@example.com": ("Heidi Vogel", "Logistics", "participant"),
    "wang.fang@example.com": ("王芳", "Finance", "participant"),
    "li.wei@example.com": ("李伟", "Engineering", "participant"),
    "ivan@example.com": ("Ivan Petrov", "Finance", "participant"),
    "judy@example.com": ("Judy Alvarez", "Finance", "participant"),
    "zhang.min@example.com": ("张敏", "Finance", "participant"),
    "kofi@example.com": ("Kofi Mensah", "Engineering", "participant"),
    "laura@example.com": ("Laura Rossi", "Finance", "participant"),
    "mia@example.com": ("Mia Hoffmann", "Operations", "participant"),
    "noah@example.com": ("Noah Brooks", "Sales", "participant"),
    "olivia@example.com": ("Olivia Turner", "Sales", "participant"),
    "zhao.lei@example.com": ("赵磊", "Sales", "participant"),
    "sun.li@example.com": ("孙丽", "HR", "participant"),
    "peter@example.com": ("Peter Novak", "Sales", "participant"),
    "quinn@example.com": ("Quinn Harper", "Engineering", "participant"),
    "rosa@example.com": ("Rosa Delgado", "Sales", "participant"),
    "sam@example.com": ("Sam Lee", "Operations", "participant"),
    "tara@example.com": ("Tara Singh", "HR", "participant"),
    "yusuf@example.com": ("Yusuf Demir", "Logistics", "participant"),
}

RUBRIC = [
    (
        "Impact",
        3.0,
        "How much would this move the challenge's KPI if it worked?",
        "Hardly",
        "Clearly",
        "Transformative",
    ),
    ("Feasibility", 2.0, "Could we run it with our people, systems and budget?", "Unrealistic", "Plausible", "Ready"),
    ("Originality", 1.0, "Is this a fresh idea or a new twist for us?", "Seen it", "New twist", "Novel"),
    ("Evidence", 2.0, "Data, a pilot or user feedback behind the claims.", "None", "Some data", "Convincing pilot"),
]

FEEDBACK = [
    "Clear problem statement and a prototype we could try. Quantify the baseline a bit more.",
    "Strong idea. The rollout plan for the other sites is thin; who owns it after the pilot?",
    "Good evidence from the pilot week. Consider the cost of maintaining it over a year.",
    "Convincing user quotes. I would like to see the effect on the KPI, not only on satisfaction.",
    "Creative and cheap to try. Check the IT security review early, it can take weeks.",
]


@dataclass(frozen=True)
class Idea:
    team: str
    people: tuple[str, ...]  # captain first, e-mail local parts
    title: str
    summary: str
    problem: str
    solution: str
    impact: str


SPRING_CHALLENGES = [
    (
        "Cut warehouse picking errors by half",
        "Wrong or missing items cost us returns, re-shipping and unhappy customers. "
        "Pickers handle 40,000 lines a day across three warehouses.",
        "Picking error rate from 0.8 % to 0.4 % of order lines within six months.",
        "Two days a week of a process engineer, access to the WMS sandbox, €15,000 for hardware.",
    ),
    (
        "Faster month-end close",
        "Closing the books takes nine working days; management figures arrive too late to act on.",
        "Close in five working days without more overtime.",
        "A finance systems analyst, the ERP test environment, mentoring by the CFO office.",
    ),
    (
        "Delight first-week customers",
        "One in six new customers contacts support in the first week, and those who do churn twice as often.",
        "Halve first-week support contacts and raise the first-month NPS by 10 points.",
        "CRM and e-mail tooling, the customer-insight team, €10,000 for pilots.",
    ),
]

# Earlier drafts of some teams' entries, oldest first (their final text is the idea's): the entry
# page's version history and its "compare" show real edits. Fields left out are empty.
DRAFTS: dict[str, list[dict[str, str]]] = {
    "Pick Right": [
        {
            "title": "Lights on pick carts",
            "summary": "Put lights on the carts so pickers use the right tote.",
            "problem": "Pickers swap totes.",
        },
        {
            "title": "Light-guided pick carts",
            "summary": "Carts with lights show which tote gets which item.",
            "problem": "Most errors happen when a picker fills several orders at once.",
            "solution": "LED strips on the carts, driven by the WMS pick list.",
        },
        {
            "title": "Light-guided pick carts",
            "summary": "Carts with small lights show which tote gets which item, so look-alike items stop landing "
            "in the wrong order.",
            "problem": "Most errors happen when a picker fills several orders at once and swaps totes.",
            "solution": "Battery LED strips on existing carts, driven by the WMS pick list.",
            "expected_impact": "Pilot on one aisle: errors fell by half.",
        },
    ],
}

SPRING_IDEAS = [
    Idea(
        "Pick Right",
        ("alice", "bob"),
        "Light-guided pick carts",
        "Carts with small lights show which tote gets which item, so look-alike items stop landing in the wrong order.",
        "Most errors happen when a picker fills several orders at once and swaps totes.",
        "Battery LED strips on existing carts, driven by the WMS pick list through a small gateway.",
        "Pilot on one aisle: errors fell from 0.9 % to 0.3 % of lines in two weeks.",
    ),
    Idea(
        "Scan Squad",
        ("erin", "frank"),
        "Scan-to-confirm at every bin",
        "Pickers scan the bin and the item; the handheld beeps on a mismatch before the item leaves the shelf.",
        "Today only the order is scanned at packing, when the error is already made.",
        "Enable the unused confirm step in the WMS handhelds and add bin labels where missing.",
        "Catches an estimated 70 % of picking errors at the shelf.",
    ),
    Idea(
        "Slot Doctors",
        ("grace", "heidi"),
        "Re-slot look-alike products",
        "Move products that look alike away from each other and put fast movers at waist height.",
        "Thirty look-alike pairs cause half of our mis-picks.",
        "A weekly report finds look-alike pairs by name and photo; the night shift re-slots them.",
        "Fewer mis-picks and shorter walking paths; no new hardware.",
    ),
    Idea(
        "Zero Miss",
        ("yusuf", "sam"),
        "Weekly error heatmap with the pickers",
        "A five-minute Friday huddle around a heatmap of where errors happened that week.",
        "Errors are counted per month per site, far too coarse for anyone to act on.",
        "An automatic heatmap from the returns data, printed at the team board.",
        "Teams fix their own hot spots; a 20 % reduction in the first month at the pilot site.",
    ),
    Idea(
        "Close Crew",
        ("carol", "dave"),
        "Daily soft close",
        "Reconcile the big accounts every day, so month-end only has to tidy up.",
        "Everything piles up in the last three days of the month.",
        "A daily checklist in the ERP with owners, and a dashboard of what is still open.",
        "Close in six days in the pilot month; overtime down by a third.",
    ),
    # written in Chinese: the same idea as "Close Crew", which the "similar ideas" panel finds
    Idea(
        "Recon Robots",
        ("wang.fang", "li.wei"),
        "每日软关账：ERP 每日对账",
        "每天在 ERP 中核对大额科目，月末只需收尾，关账从九天缩短到六天。",
        "所有对账工作都堆积在月末最后三天。",
        "在 ERP 中建立每日检查清单，指定负责人，并用看板显示仍未完成的事项。",
        "试点月份关账用时六天，加班减少三分之一。",
    ),
    Idea(
        "Accrual Allies",
        ("ivan", "judy"),
        "Accrual templates with owner sign-off",
        "Standard accrual templates that budget owners fill in before the last day of the month.",
        "Finance chases budget owners for accruals after the month has closed.",
        "A short form per cost centre, pre-filled from purchase orders, with a reminder on day 25.",
        "Accruals complete on day one instead of day four.",
    ),
    Idea(
        "Ledger Light",
        ("zhang.min", "kofi", "laura"),
        "Intercompany netting calendar",
        "Agree intercompany balances on a fixed calendar before the close, not during it.",
        "Intercompany differences block consolidation for two days every month.",
        "A shared calendar and a netting sheet that both sides confirm by day 27.",
        "Consolidation starts on day two instead of day four.",
    ),
    Idea(
        "Hello Week",
        ("mia", "noah"),
        "A welcome call in the first 48 hours",
        "Every new customer gets a short call from a named person who checks that setup went well.",
        "New customers do not know whom to ask, so they open tickets.",
        "A call list from the CRM every morning, a five-question script and a follow-up e-mail.",
        "Support contacts in week one down 35 % in the pilot group.",
    ),
    Idea(
        "Onboard Express",
        ("olivia", "zhao.lei"),
        "Guided setup checklist",
        "A checklist in the customer portal that walks through the first five steps with short videos.",
        "Most first-week tickets ask the same five questions.",
        "A portal page with progress ticks and a 60-second video for each step.",
        "Fewer 'how do I' tickets and faster time to first value.",
    ),
    Idea(
        "First Impressions",
        ("sun.li", "peter"),
        "Proactive delivery updates",
        "Tell customers about delays before they notice, with a new date and a small apology.",
        "A late first delivery is the top reason for first-week complaints.",
        "Carrier events trigger an SMS and e-mail when a first order is at risk.",
        "Complaints about first deliveries halved in a two-week test.",
    ),
    Idea(
        "Happy Start",
        ("quinn", "rosa", "tara"),
        "First-week pulse and recovery",
        "A one-question pulse on day five; unhappy answers get a call from a senior agent the same day.",
        "We learn that a customer was unhappy only when they cancel.",
        "A survey link in the day-five e-mail and an alert queue for low scores.",
        "Recovered 60 % of unhappy pilot customers; NPS up 8 points.",
    ),
]

AUTUMN_CHALLENGES = [
    (
        "Reduce packaging cost per order",
        "Boxes, fillers and tape cost more every year.",
        "Packaging cost per order down 15 %.",
        "Packaging supplier's engineers, €8,000 for trials.",
    ),
    (
        "Cut energy use in offices",
        "Our offices use as much power at night as in the afternoon.",
        "Office electricity down 20 % year on year.",
        "Facilities team, building data, €12,000.",
    ),
]

AUTUMN_IDEAS = [
    Idea(
        "Right-Size Boxes",
        ("alice", "erin"),
        "Right-size boxes from the order data",
        "Pick the smallest box that fits from the item dimensions we already have.",
        "Packers choose boxes by eye and fill the rest with air pillows.",
        "A box suggestion on the packing screen, computed from item dimensions.",
        "Filler use down 40 %, box cost down 12 % in the pilot.",
    ),
    Idea(
        "Tape Less",
        ("frank", "grace"),
        "Self-sealing mailers for small orders",
        "Use self-sealing paper mailers for the 30 % of orders with one small item.",
        "Small orders get the same box and tape as big ones.",
        "Stock two mailer sizes at every packing bench.",
        "Saves €0.40 per small order.",
    ),
    Idea(
        "Pallet Pals",
        ("heidi", "yusuf"),
        "Returnable pallets with our top suppliers",
        "Swap one-way pallets for returnable ones with our five biggest suppliers.",
        "We buy and dispose of 9,000 pallets a year.",
        "A pallet pool agreement and a weekly pick-up.",
        "Saves about €35,000 a year.",
    ),
    Idea(
        "Lights Out",
        ("wang.fang", "li.wei"),
        "Lights and screens off by schedule",
        "Switch off lights, screens and coffee machines at night and at weekends by schedule.",
        "Devices stay on all night in half of our offices.",
        "Smart plugs and the building system's schedule, with an override button.",
        "Night-time consumption down 60 % on the pilot floor.",
    ),
    Idea(
        "Smart Thermostat",
        ("ivan", "mia"),
        "Heating by booking",
        "Heat meeting rooms only when they are booked.",
        "Rooms are heated all day, used three hours.",
        "Connect the room booking system to the thermostats.",
        "Heating energy down 18 % on the pilot floor.",
    ),
    Idea(
        "Power Down Fridays",
        ("noah", "olivia"),
        "Power Down Fridays",
        "A friendly Friday reminder and a leaderboard of floors that switch off before the weekend.",
        "People forget to switch off before the weekend.",
        "An e-mail nudge and a monthly floor ranking.",
        "Weekend consumption down 25 %.",
    ),
]
