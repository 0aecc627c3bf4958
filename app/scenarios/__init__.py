"""Each lesson page's scenarios (presets), one module per lesson beside the pages.

A page imports its own module (``from scenarios.l04 import PRESETS``) and passes the presets to
``LessonPage``; tests and benches enumerate every lesson's presets through :data:`BY_LESSON`
without running a page. A lesson without scenarios has no module here.
"""

from playground.scenario import Preset

from . import drill, l00, l01, l02, l03, l04, l05, l06, l07, l08, l09, l10, l11, l12, l13, l14, l15

BY_LESSON: dict[str, tuple[Preset, ...]] = {
    "l00": l00.PRESETS,
    "l01": l01.PRESETS,
    "l02": l02.PRESETS,
    "l03": l03.PRESETS,
    "l04": l04.PRESETS,
    "l05": l05.PRESETS,
    "l06": l06.PRESETS,
    "l07": l07.PRESETS,
    "l08": l08.PRESETS,
    "l09": l09.PRESETS,
    "l10": l10.PRESETS,
    "l11": l11.PRESETS,
    "l12": l12.PRESETS,
    "l13": l13.PRESETS,
    "l14": l14.PRESETS,
    "l15": l15.PRESETS,
    "drill": drill.PRESETS,
}
