"""The built-in steps, registered in order."""

from microcredit.demo.banks import create_banks
from microcredit.demo.households import create_households
from microcredit.demo.regions import create_regions
from microcredit.demo.steps import register_step
from microcredit.demo.users import create_users

register_step("regions", create_regions)
register_step("banks", create_banks)
register_step("households", create_households)
register_step("users", create_users)
