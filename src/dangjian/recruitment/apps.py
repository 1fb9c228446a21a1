from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "dangjian.recruitment"
    label = "recruitment"
    verbose_name = _("Recruitment of party members")

    def ready(self):
        from dangjian.recruitment import access_rules

        access_rules.register()

        from dangjian.party import timeline
        from dangjian.recruitment.queries import timeline_entries

        timeline.register("recruitment", timeline_entries)

        from dangjian.recruitment import home_panels

        home_panels.register_panels()
