"""A fake of the AUTOMATIC1111 WebUI v1.10.1 `modules` package for EasyDrag's glue tests.

Only the API the glue uses, with the host's names and signatures (see the host notes);
behaviour follows the host where the glue depends on it (queue lock, state reset, paste
wiring, parse_generation_parameters defaults, low-VRAM hooks).  Written from the notes,
not copied.
"""
