# Set-up run once in each target interpreter of the sessions scenario
# (stress/sessions.c embeds this file): a counter, and the two code
# objects sessions run (the second gives up the GIL halfway, so that other
# threads collide with it).  Compiled once here, not per session: see
# stress/sessions.c for the CPython races per-session compiling trips.
import time
_xs_count = 0
_xs_code0 = compile('_xs_count = _xs_count + 1', 'xs0', 'exec')
_xs_code1 = compile('_xs_n = _xs_count\ntime.sleep(0)\n_xs_count = _xs_n + 1', 'xs1', 'exec')
