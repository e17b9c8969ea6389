"""Long term conditions for demo patients: prevalence by age, the usual clusters, onset.

Apart from the people pass so the clinical assumptions can be read and tuned in one place.
"""

from __future__ import annotations

import random

# By age band (<45, 45-64, 65-74, 75-84, 85+), before the multipliers for combinations.
P_HYP = (0.08, 0.30, 0.50, 0.60, 0.62)
P_DM = (0.04, 0.14, 0.20, 0.21, 0.18)
P_CKD = (0.01, 0.03, 0.08, 0.16, 0.26)
P_CHD = (0.005, 0.05, 0.11, 0.16, 0.19)
P_AF = (0.002, 0.02, 0.07, 0.13, 0.18)
P_HF = (0.001, 0.006, 0.02, 0.04, 0.07)
P_STIA = (0.003, 0.02, 0.05, 0.08, 0.11)
P_COPD = (0.005, 0.04, 0.09, 0.11, 0.10)
P_AST = (0.14, 0.09, 0.07, 0.06, 0.05)
P_OA = (0.03, 0.12, 0.20, 0.27, 0.32)
P_OST = (0.002, 0.03, 0.08, 0.15, 0.25)
P_RA = (0.006, 0.012, 0.015, 0.015, 0.015)
P_CAN = (0.01, 0.04, 0.08, 0.10, 0.11)
P_DEM = (0.0, 0.002, 0.02, 0.08, 0.24)
P_DEP = (0.16, 0.13, 0.10, 0.09, 0.09)
P_SMI = (0.025, 0.015, 0.01, 0.007, 0.005)
P_EP = (0.012, 0.009, 0.007, 0.007, 0.006)
P_LD = (0.02, 0.006, 0.003, 0.001, 0.0)
P_FRAIL = (0.0, 0.008, 0.04, 0.12, 0.32)
P_PC = (0.0, 0.002, 0.004, 0.008, 0.02)
# People on an LTC list with no register entry mostly have one of the common ones.
FIRST_CONDITION = ("HYP", "HYP", "AST", "DEP", "DM", "OA")
MAX_CONDITIONS = 7
# (earliest age at diagnosis, at most this many years ago) for diagnosed_on.
ONSET = {
    "DM": (25, 25),
    "HYP": (30, 30),
    "COPD": (40, 20),
    "AST": (5, 50),
    "HF": (40, 12),
    "CHD": (35, 25),
    "AF": (40, 15),
    "STIA": (40, 15),
    "CKD": (40, 15),
    "DEM": (60, 8),
    "DEP": (16, 30),
    "SMI": (18, 40),
    "CAN": (30, 15),
    "OA": (40, 25),
    "RA": (25, 30),
    "EP": (2, 60),
    "OST": (50, 15),
    "LD": (2, 90),
    "FRAIL": (65, 6),
    "PC": (18, 2),
}
# Conditions sometimes ended: share ended, reason.
ENDINGS = {
    "DEP": (0.12, "Resolved; no longer on treatment"),
    "CAN": (0.15, "In remission; discharged from oncology follow-up"),
    "AST": (0.04, "Resolved; no symptoms or treatment for over a year"),
    "HYP": (0.01, "Coded in error: home blood pressure readings normal"),
}


def draw_conditions(rng: random.Random, b: int, female: bool, lives_alone: bool) -> list[str]:
    """Register codes with age-dependent prevalence and the usual clusters.

    Hypertension is commonest; diabetes raises CKD and CHD; AF and CHD raise heart
    failure; AF raises stroke; dementia comes late; depression rises with the number
    of conditions and living alone; frailty and palliative care come in the oldest.
    """
    r = rng.random
    codes = []
    hyp = r() < P_HYP[b]
    if hyp:
        codes.append("HYP")
    dm = r() < P_DM[b] * (1.4 if hyp else 1.0)
    if dm:
        codes.append("DM")
    if r() < P_CKD[b] * (2.2 if dm else 1.0) * (1.5 if hyp else 1.0):
        codes.append("CKD")
    chd = r() < P_CHD[b] * (1.5 if dm else 1.0) * (1.3 if hyp else 1.0) * (0.75 if female else 1.3)
    if chd:
        codes.append("CHD")
    af = r() < P_AF[b] * (1.3 if hyp else 1.0)
    if af:
        codes.append("AF")
    hf = r() < P_HF[b] * (3.0 if chd else 1.0) * (3.0 if af else 1.0)
    if hf:
        codes.append("HF")
    stia = r() < P_STIA[b] * (2.0 if af else 1.0) * (1.3 if hyp else 1.0)
    if stia:
        codes.append("STIA")
    copd = r() < P_COPD[b]
    if copd:
        codes.append("COPD")
    if r() < P_AST[b] * (0.5 if copd else 1.0):
        codes.append("AST")
    if r() < P_OA[b] * (1.2 if female else 0.85):
        codes.append("OA")
    if r() < P_OST[b] * (1.0 if female else 0.3):
        codes.append("OST")
    if r() < P_RA[b] * (1.5 if female else 0.6):
        codes.append("RA")
    can = r() < P_CAN[b]
    if can:
        codes.append("CAN")
    dem = r() < P_DEM[b] * (1.6 if stia else 1.0)
    if dem:
        codes.append("DEM")
    if r() < P_SMI[b]:
        codes.append("SMI")
    if r() < P_EP[b]:
        codes.append("EP")
    if r() < P_LD[b]:
        codes.append("LD")
    n = len(codes)
    if r() < P_DEP[b] + 0.03 * n + 0.08 * lives_alone + 0.1 * dem:
        codes.append("DEP")
    frail = b >= 1 and r() < P_FRAIL[b] + 0.025 * n * (b >= 3) + 0.25 * dem
    if frail:
        codes.append("FRAIL")
    if b >= 1 and r() < (P_PC[b] + 0.08 * can + 0.03 * hf + 0.04 * (dem and b >= 4) + 0.03 * frail):
        codes.append("PC")
    if not codes and r() < 0.7:
        codes.append(FIRST_CONDITION[int(r() * len(FIRST_CONDITION))])
    if len(codes) > MAX_CONDITIONS:
        keep = set(rng.sample(codes, MAX_CONDITIONS))
        codes = [c for c in codes if c in keep]
    return codes
