"""The files that ship with the course, installed as the package `microgpt_lib.shipped`.

names.txt: the 32,033 training names; microgpt_seed42.json: the trained default model;
microgpt_seed42_default.txt: what the original program prints with the default settings.
Read them through `microgpt_lib.data.DATA_DIR`; what you make goes elsewhere.
"""
