# Light stand-ins for test.support.interpreters.queues' QueueEmpty,
# QueueFull and Queue, registered with _interpqueues in the pool's slots
# (fuzz/modules.c embeds this file).  Importing the high-level module (what
# _interpqueues does on its first QueueEmpty) would more than double each
# slot's heap, and the pydebug collector walks all of it at every
# collection.
import _interpqueues
class QueueEmpty(_interpqueues.QueueError): pass
class QueueFull(_interpqueues.QueueError): pass
class Queue: pass
_interpqueues._register_heap_types(Queue, QueueEmpty, QueueFull)
