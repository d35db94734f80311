from . import test_warehouse_site
