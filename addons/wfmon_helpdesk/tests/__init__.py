from . import test_ticket_case
from . import test_seed_scenario
