# Helpers of the excinfo target (fuzz/excinfo.c embeds this file and runs
# it once in each interpreter it uses).  make(spec) builds the exception
# an input describes; expect(e) says, independently of the xid core, what
# its snapshot (_PyXI_excinfo) must hold: the differential oracle.
import sys, traceback
BASES = (ValueError, KeyError, OSError, Exception, BaseException,
         KeyboardInterrupt, SystemExit, MemoryError, RecursionError,
         StopIteration, UnicodeError, ExceptionGroup, BaseExceptionGroup)
class StrSub(str):
    pass
unraisable = []
def _hook(u):
    unraisable.append(u.err_msg)
sys.unraisablehook = _hook
def _str_method(mode):
    if mode == 3:
        def __str__(self):
            raise RuntimeError('__str__ raised')
    elif mode == 4:
        def __str__(self):
            return 42
    elif mode == 5:
        def __str__(self):
            return 'x' * 100000
    elif mode == 6:
        def __str__(self):
            return StrSub('from a str subclass')
    else:
        return None
    return __str__
# A class is its own reference cycle (its __mro__ holds it): made for
# each exception and left to the harness's young collection at the end
# of the input (core/harness/check.c), so that no input depends on another.
def _cls(base, flags, name, qualname, module, mode):
    strm = _str_method(mode)
    if not (flags & 1) and strm is None:
        return base
    return _new_cls(base, flags, name, qualname, module, strm)
def _new_cls(base, flags, name, qualname, module, strm):
    ns = {}
    if not (flags & 128):
        ns['__module__'] = 'xidfuzz_made'
    if strm is not None:
        ns['__str__'] = strm
    cls = type('XidfuzzError', (base,), ns)
    for bit, attr, value in ((2, '__name__', name),
                             (4, '__qualname__', qualname),
                             (8, '__module__', module)):
        if flags & bit:
            try:
                setattr(cls, attr, value)
            except (TypeError, ValueError, UnicodeError):
                pass
    return cls
def make(spec):
    base_i, flags, name, qualname, module, mode, msg, notes, cause, \
        context, members = spec
    base = BASES[base_i]
    cls = _cls(base, flags, name, qualname, module, mode)
    if issubclass(base, BaseExceptionGroup):
        excs = [make(m) for m in members]
        text = msg if isinstance(msg, str) else 'group'
        try:
            e = cls(text, excs)
        except (TypeError, ValueError):
            e = BaseExceptionGroup(text, excs)
    elif mode == 0:
        e = cls()
    elif mode == 2:
        e = cls(msg, 7)
    else:
        e = cls(msg)
    for note in notes:
        if isinstance(note, str):
            e.add_note(note)
        else:
            e.__notes__ = list(getattr(e, '__notes__', ())) + [note]
    if cause is not None:
        e.__cause__ = make(cause)
    if context is not None:
        e.__context__ = make(context)
    return e
def _raw(s):
    # What the core's _copy_string_obj_raw() accepts.
    if not isinstance(s, str):
        raise TypeError('not a str')
    b = s.encode('utf-8')
    if b'\0' in b:
        raise ValueError('embedded NUL')
    return b
def expect(e):
    # (kind, name, qualname, module, msg, errdisplay, builtin, unraisable)
    # unraisable: None, or why the traceback text is left out: 'format'
    # (TracebackException could not be made or formatted) or 'copy' (its
    # text has a NUL or a lone surrogate)
    if isinstance(e, MemoryError) or (isinstance(e, type)
                                      and issubclass(e, MemoryError)):
        return ('memory', None, None, None, None, None, False, None)
    t = type(e)
    fail = (None,) * 5 + (False, None)
    try:
        names = (_raw(t.__name__), _raw(t.__qualname__), _raw(t.__module__))
    except BaseException:
        return ('error while initializing exception type snapshot',) + fail
    try:
        msg = str(e)
    except BaseException:
        return ('error while formatting exception',) + fail
    try:
        msg = _raw(msg)
    except BaseException:
        return ('error while copying exception message',) + fail
    display = None
    why = 'format'
    try:
        tbe = traceback.TracebackException.from_exception(
            e, save_exc_type=False, lookup_lines=False)
        text = ''.join(tbe.format())
        why = 'copy'
        display = _raw(text)[:-1]
        why = None
    except BaseException:
        pass
    builtin = not (t.__flags__ & (1 << 9))
    return ('ok',) + names + (msg, display, builtin, why)
