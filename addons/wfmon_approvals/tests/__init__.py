from . import test_matrix
from . import test_request_flow
from . import test_segregation
from . import test_reminders
from . import test_delegation
from . import test_reporting
from . import test_digest
