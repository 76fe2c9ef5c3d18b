"""XF-034-config-gil-not-utf8: a config's gil that is not a plain string.

_config_dict_copy_str() (Python/interpconfig.c) copies the value with
strncpy(buf, PyUnicode_AsUTF8(item), ...): a lone surrogate makes
PyUnicode_AsUTF8() fail and strncpy() read NULL (SEGV); an embedded NUL
truncates the value ("own\\0x" is taken for "own").
"""
import _interpreters

TRIGGER = "new_config() with a gil holding a lone surrogate"

try:
    config = _interpreters.new_config(gil="own\0x")
except ValueError:
    try:
        _interpreters.new_config(gil="own\ud800")      # SEGV on 3.13.5
    except UnicodeEncodeError:
        pass
    print("OK: both refused", flush=True)
else:
    print(f"BUG: new_config(gil='own\\0x') gave gil={config.gil!r}", flush=True)
