# Defined in every actor of the modules target once (never per input): the
# functions that exec(), run_func() and call() get (fuzz/modules.c embeds
# this file).
def f_pass(): pass
def f_raise(): raise ValueError('xidfuzz')
def f_del():
    g = globals()
    for n in ('xf_0', 'xf_1', 'xf_2', 'xf_3'):
        g.pop(n, None)
def f_arg(x): pass
def _outer():
    y = 1
    def inner(): return y
    return inner
f_closure = _outer()
