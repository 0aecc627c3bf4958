"""Case-study lessons: the course's wrinkle is shown as the wrinkle, and "what breaks" is a sentence."""

from playground import course

WRINKLES = {  # the course table's "The wrinkle" column (COURSE.md)
    "l12": "auction mechanics; calibration is mandatory; counterfactual logging",
    "l13": "class imbalance + adversarial drift; streaming features; asymmetric cost",
    "l14": "spatial-temporal features; pinball loss; quantile outputs (P50 / P90)",
    "l15": "contrastive joint training (InfoNCE); cross-modal eval; modality alignment",
}


def test_case_pages_show_the_wrinkle_and_a_real_what_breaks_sentence():
    for lesson in course.LESSONS:
        if lesson.id in WRINKLES:
            assert lesson.adds == "The wrinkle: " + WRINKLES[lesson.id]
            assert lesson.breaks.endswith(".") and len(lesson.breaks.split()) >= 15
            assert WRINKLES[lesson.id] not in lesson.breaks.lower()
