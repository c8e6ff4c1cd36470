"""Neural Computers: one network is the CPU, the RAM and the I/O of a computer.

Data flows one way: software -> synthetic users -> recordings -> model -> training
-> runtime -> UI, with evaluation beside it. Each subpackage is one of those stages.
"""

__version__ = "0.1.0"
