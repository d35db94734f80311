from . import stock_warehouse
from . import wfmon_retail_region
from . import wfmon_retail_store
from . import res_company
from . import res_config_settings
from . import res_partner
from . import pos_config
from . import wfmon_escalation_step
from . import wfmon_case
from . import wfmon_retail_detector
from . import wfmon_approval_policy
from . import stock_quant
from . import stock_scrap
from . import stock_picking
from . import purchase_order
from . import stock_warehouse_orderpoint
from . import wfmon_retail_substitution
from . import wfmon_inbound_event
from . import loyalty_program


# POS scenarios (price overrides, refunds, cash, anomalies): retail_pos_* files below.
from . import retail_pos_settings
from . import retail_pos_signoff
from . import retail_pos_order
from . import retail_pos_session
from . import retail_pos_anomaly
from . import retail_pos_demo
from . import retail_pos_refund
from . import retail_pos_approval_policy
from . import retail_pos_return

# Price policy of sale orders and list prices.
from . import retail_price_settings
from . import sale_order
from . import wfmon_retail_price_change
from . import product_template
from . import product_product

# Advisory priority inputs (promotion, velocity).
from . import wfmon_case_priority
