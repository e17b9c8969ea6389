"""The words of the demo assessments: notes, what matters, faiths, IADL help."""

from __future__ import annotations

NOTES: dict[str, tuple[str, ...]] = {
    "conditions": (
        "Breathless walking to the end of the garden; chest clear today, sats 94% on air",
        "Two chest infections this winter, rescue pack used once",
        "Ankles more swollen in the evenings; weight steady",
        "Pain in both knees, worse first thing in the morning",
        "Sugars up and down since the steroids",
    ),
    "medicines": (
        "Dosette box filled weekly by the pharmacy",
        "Takes own tablets; daughter checks the box at weekends",
        "Stopped the amlodipine because of swollen ankles, GP aware",
        "Not sure what the water tablet is for; explained",
        "Inhaler technique checked and corrected",
    ),
    "mental_health": (
        "Tearful when talking about the future",
        "Says mood is better since the lunch club",
        "Worries at night about being breathless",
    ),
    "memory": (
        "Repeated the same question twice during the visit",
        "Family have noticed more forgetfulness since the spring",
        "Manages the calendar on the kitchen wall well",
    ),
    "daily_living": (
        "Strip washes at the sink; cannot get in the bath",
        "Daughter does the shopping on Saturdays",
        "Carers twice a day, morning and teatime",
        "Manages own meals with ready meals and the microwave",
    ),
    "mobility_falls": (
        "Fell in the kitchen in the summer, no injury, lay on the floor for an hour",
        "Uses the frame indoors, stick outside",
        "Pendant alarm worn round the neck",
        "Unsteady getting up from the chair",
    ),
    "nutrition": (
        "Lost half a stone since the hospital admission",
        "Meals on wheels weekdays",
        "Eating well, good appetite",
    ),
    "continence": (
        "Up three times a night to pass water",
        "Pads from the continence service, delivered every 12 weeks",
    ),
    "skin": (
        "Heels checked, skin intact",
        "Small skin tear on the left forearm, dressed by the district nurse",
        "Pressure cushion in the chair",
    ),
    "sensory": (
        "Hearing aids need new batteries; given the audiology number",
        "Cataract operation on the waiting list",
        "Reads the paper with a magnifier",
    ),
    "housing": (
        "Ground floor flat, one step at the front door",
        "Bedroom and bathroom upstairs, one banister",
        "Rugs in the hall; talked about moving them",
        "Boiler serviced this year",
    ),
    "money": (
        "Pension and Pension Credit; prepayment meter for gas",
        "Son helps with the bills",
        "Has not heard of Attendance Allowance",
    ),
    "social_contact": (
        "Neighbour pops in most mornings",
        "Goes to church on Sundays when someone can take them",
        "Phone calls with family in the evenings",
    ),
    "carers": (
        "Wife is main carer and has her own health problems",
        "Daughter visits daily after work",
        "Son lives abroad, rings every Sunday",
    ),
    "work": ("Retired from the hosiery factory", "Retired bus driver", "Used to volunteer"),
    "spiritual": (
        "Would like the chaplain to visit if admitted",
        "Vegetarian diet",
        "Prefers a female member of staff for personal care",
    ),
    "what_matters": (),
    "risks": (
        "Lives alone with no key safe; family have a key",
        "Smokes in the chair; fire service visit offered",
        "Discussed with the team at the whiteboard meeting",
    ),
}
WHAT_MATTERS = (
    "Staying in my own home for as long as I can",
    "Seeing my grandchildren grow up",
    "Getting out to the shops and to church on my own",
    "Not going back into hospital",
    "Keeping my garden nice, it was my husband's pride and joy",
    "Being able to look after my wife",
    "Not being a burden on my children",
    "Getting back to the lunch club on Wednesdays",
    "Feeling less tired so I can enjoy things again",
    "Knowing who to ring when things go wrong",
)
FAITH = (
    "Church of England",
    "Roman Catholic",
    "Methodist",
    "Hindu",
    "Muslim",
    "Sikh",
    "No religion",
    "No religion",
    "Christian; likes the vicar to visit",
    "Jewish",
)
IADL_WORDS = {
    "telephone": "using the telephone",
    "shopping": "shopping",
    "food_preparation": "cooking",
    "housekeeping": "housework",
    "laundry": "laundry",
    "transport": "getting about",
    "medicines": "tablets",
    "finances": "money",
}
