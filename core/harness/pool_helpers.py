# Helper classes defined in every interpreter of the harness's pool
# (core/harness/pool.c embeds this file; fuzz targets fetch them with
# xf_helper(NAME)).  They are heap types, hence per-interpreter objects:
# each interpreter gets its own.  Each one exercises a way a value can
# misbehave while the xid core hashes, compares or iterates it.
class IntSub(int): pass
class StrSub(str): pass
class TupleSub(tuple): pass
class BadEq:
    def __eq__(self, other): raise RuntimeError('BadEq.__eq__')
    def __hash__(self): return 7
class BadHash:
    def __hash__(self): raise RuntimeError('BadHash.__hash__')
class StrBadHash(str):
    def __hash__(self): raise RuntimeError('StrBadHash.__hash__')
class StrBadEq(str):
    __hash__ = str.__hash__
    def __eq__(self, other): raise RuntimeError('StrBadEq.__eq__')
class StrCollide(str):
    def __hash__(self): return 42
    __eq__ = str.__eq__
class SeqFailsLast:
    def __init__(self, items): self.items = items
    def __len__(self): return len(self.items)
    def __getitem__(self, i):
        if i == len(self.items) - 1: raise LookupError(i)
        return self.items[i]
class SeqLenOnce:
    # A sequence that changes under its reader: len() answers once, then
    # raises.
    def __init__(self, items): self.items, self.asked = items, False
    def __len__(self):
        if self.asked: raise BufferError('SeqLenOnce.__len__ asked again')
        self.asked = True
        return len(self.items)
    def __getitem__(self, i): return self.items[i]
