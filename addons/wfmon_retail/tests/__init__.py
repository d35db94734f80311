from . import test_stores
from . import test_writeoff_transfer
from . import test_replenishment_scenario
from . import test_promotion_readiness
from . import test_late_vendor
from . import test_retail_rpc


# POS scenarios: test_r2*, test_r3*, test_r5*, test_r9* below.
from . import test_r2_pos_prices
from . import test_r3_pos_refunds
from . import test_r5_cash
from . import test_r9_anomalies
from . import test_r2_r3_r5_rpc
from . import test_r3_credit_notes
from . import test_r3_returns

# Price policy of sale orders and list prices.
from . import test_r2_sale_prices
from . import test_r2_list_prices
