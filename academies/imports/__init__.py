"""Bringing files in: the trust's own template and the public DfE and Ofsted files.

`reading` turns bytes into a table of text cells, `cells` turns cells into values, each module
of `formats` recognises one kind of file and turns its rows into facts, and `pipeline` checks
and writes them in one transaction: all rows or none.
"""
