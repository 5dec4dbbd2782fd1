"""Printable documents (DESIGN §5): the 附件2 and township forms, ledgers, case files, Excel exports."""
