from . import test_stores


# POS scenarios: test_r2*, test_r3*, test_r5*, test_r9* below.
