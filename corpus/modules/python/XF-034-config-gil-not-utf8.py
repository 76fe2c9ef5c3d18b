"""XF-034-config-gil-not-utf8: a config's gil that is not a plain string.

_config_dict_copy_str() (Python/interpconfig.c) copies the value with
strncpy(buf, PyUnicode_AsUTF8(item), ...): a lone surrogate makes
PyUnicode_AsUTF8() fail and strncpy() read NULL (SEGV); an embedded NUL
truncates the value ("own\\0x" is taken for "own").
"""
import sys

XF = "XF-034"


def main():
    import _interpreters
    try:
        config = _interpreters.new_config(gil="own\0x")
    except ValueError:
        pass
    else:
        print(f"{XF} REPRODUCED: new_config(gil='own\\0x') gave gil={config.gil!r}")
        return 1
    try:
        _interpreters.new_config(gil="own\ud800")      # SEGV on 3.13.5
    except UnicodeEncodeError:
        pass
    print(f"{XF} not reproduced: both refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
