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


# POS scenarios (price overrides, refunds, cash, anomalies): retail_pos_* files below.
