"""End-to-end tests: the real bot, in a subprocess, against a loopback Discord stand-in."""
