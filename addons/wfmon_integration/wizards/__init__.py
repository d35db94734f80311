from . import wfmon_secret_reveal
from . import wfmon_recommendation_decide
