"""The suite's clock (tests/conftest.py): started at noon of the day the run began, so the
date a test took when it was collected is still the date when the code runs."""

import datetime
import os

import time_machine
from django.utils import timezone


def test_the_suite_runs_on_a_clock_started_at_noon_of_its_day():
    start = datetime.datetime.fromisoformat(os.environ["DANGJIAN_TEST_CLOCK"])
    now = timezone.localtime()
    assert start.time() == datetime.time(12)
    assert start <= now < start + datetime.timedelta(hours=11)
    assert timezone.localdate() == datetime.date.today() == start.date()


def test_the_real_clock_is_there_for_tests_that_start_processes(real_clock):
    real = time_machine.escape_hatch.time.time()
    assert abs(timezone.now().timestamp() - real) < 60
