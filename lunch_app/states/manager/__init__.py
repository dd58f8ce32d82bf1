"""Per-client state of the manager dashboard (SPEC §6): the `Dashboard` root (root.py) and one substate per tab,
each in the module named after the tab; lunch_app/pages/manager has a view module of the same name for each.

Importing the package defines every substate (Reflex builds the state tree from the classes defined)."""

from lunch_app.states.manager.audit import AuditTab
from lunch_app.states.manager.cafes import CafesTab
from lunch_app.states.manager.calendar import CalendarTab
from lunch_app.states.manager.menu import MenuTab
from lunch_app.states.manager.orders import OrdersTab
from lunch_app.states.manager.reports import ReportsTab
from lunch_app.states.manager.requests import RequestsTab
from lunch_app.states.manager.root import TABS, Dashboard
from lunch_app.states.manager.schedule import ScheduleTab
from lunch_app.states.manager.today import TodayTab
from lunch_app.states.manager.users import UsersTab

__all__ = [
    "TABS",
    "AuditTab",
    "CafesTab",
    "CalendarTab",
    "Dashboard",
    "MenuTab",
    "OrdersTab",
    "ReportsTab",
    "RequestsTab",
    "ScheduleTab",
    "TodayTab",
    "UsersTab",
]
