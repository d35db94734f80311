from . import test_ticket_case
from . import test_seed_scenario
from . import test_rpc_controls
