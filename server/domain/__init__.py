"""The queue's rules in plain Python: no Flask, no Socket.IO, no SQL, no printers."""
