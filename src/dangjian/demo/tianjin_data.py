"""The demo federation's data: its units, party organizations and the problems built in on
purpose (PROBLEMS) for the rules to find. The builder that writes them is ``demo.tianjin``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dangjian.registry.models import Membership, Organization

FOUNDED = datetime.date(2018, 10, 30)
SUPERVISOR = "天津市委网信办"
REGISTRAR = "天津市民政局"
COMMITTEE_NAME = "天津市互联网行业党委"
# The demo secretary's branch; its recent meetings are recorded the new way (orglife/demo_data).
SECRETARY_BRANCH = "天津市互联网金融协会党支部"

C, L = Organization.Category, Organization.LegalForm


@dataclass
class UnitSpec:
    name: str
    category: str
    domains: list[str]
    district: str
    full: int = 0  # full party members employed there
    probationary: int = 0
    branch: str | None = None  # key of the party organization covering it
    role: str = Membership.Role.MEMBER
    joined: datetime.date = FOUNDED
    left: datetime.date | None = None
    charter_clause: bool = True
    decisions_with_party: bool = True
    legal_form: Organization.LegalForm = L.SOCIAL_GROUP
    extra: dict = field(default_factory=dict)


CONTENT, SECURITY, SMART = "网络内容", "网络安全和信息化", "智能科技"

# Key → (name, kind, mode, established, term start, term years).
BRANCHES = {
    "internet": ("天津市互联网协会党支部", "branch", "in_member_unit", FOUNDED, None, 3),
    "finance": ("天津市互联网金融协会党支部", "branch", "in_member_unit", FOUNDED, None, 3),
    "media": ("天津市文化传媒商会党支部", "branch", "in_member_unit", FOUNDED, None, 3),
    "bigdata": (
        "天津市大数据协会党支部",
        "branch",
        "instructor_driven",
        datetime.date(2019, 9, 20),
        None,
        3,
    ),
    "software": (
        "天津市软件行业协会党支部",
        "branch",
        "in_member_unit",
        datetime.date(2020, 6, 18),
        datetime.date(2020, 6, 18),
        3,
    ),
    "ecommerce": (
        "天津市电子商务协会党支部",
        "branch",
        "in_member_unit",
        datetime.date(2019, 5, 10),
        None,
        3,
    ),
    "iot": (
        "天津市物联网学会党支部",
        "branch",
        "in_member_unit",
        datetime.date(2020, 11, 2),
        None,
        3,
    ),
    "ai": (
        "天津市人工智能学会党支部",
        "branch",
        "in_member_unit",
        datetime.date(2021, 4, 8),
        None,
        3,
    ),
    "security": ("天津市网络安全协会党支部", "branch", "in_member_unit", FOUNDED, None, 3),
    "board": ("天津市网络社会组织联合会理事会党支部", "branch", "in_board", FOUNDED, None, 3),
    "joint1": (
        "网信领域社会组织第一联合党支部",
        "joint_branch",
        "via_supervisor",
        datetime.date(2019, 3, 15),
        None,
        3,
    ),
    "joint2": (
        "网信领域社会组织第二联合党支部",
        "joint_branch",
        "via_supervisor",
        datetime.date(2021, 9, 1),
        None,
        3,
    ),
}

UNITS = [
    UnitSpec(
        "天津市互联网协会",
        C.ASSOCIATION,
        [CONTENT, SECURITY],
        "和平区",
        9,
        1,
        "internet",
        Membership.Role.PRESIDENT,
    ),
    UnitSpec(
        "天津市互联网金融协会",
        C.ASSOCIATION,
        [SECURITY],
        "河西区",
        6,
        0,
        "finance",
        Membership.Role.VICE_PRESIDENT,
    ),
    UnitSpec(
        "天津市文化传媒商会",
        C.CHAMBER,
        [CONTENT],
        "南开区",
        5,
        1,
        "media",
        Membership.Role.VICE_PRESIDENT,
    ),
    UnitSpec(
        "天津市大数据协会",
        C.ASSOCIATION,
        [SMART, SECURITY],
        "滨海新区",
        4,
        0,
        "bigdata",
        Membership.Role.STANDING_DIRECTOR,
        joined=datetime.date(2019, 4, 12),
    ),
    UnitSpec(
        "天津市软件行业协会",
        C.ASSOCIATION,
        [SECURITY],
        "南开区",
        5,
        0,
        "software",
        Membership.Role.STANDING_DIRECTOR,
    ),
    UnitSpec(
        "天津市电子商务协会",
        C.ASSOCIATION,
        [CONTENT],
        "河北区",
        4,
        0,
        "ecommerce",
        Membership.Role.DIRECTOR,
    ),
    UnitSpec(
        "天津市物联网学会", C.SOCIETY, [SMART], "西青区", 4, 0, "iot", Membership.Role.DIRECTOR
    ),
    UnitSpec(
        "天津市人工智能学会", C.SOCIETY, [SMART], "津南区", 8, 0, "ai", Membership.Role.DIRECTOR
    ),
    UnitSpec(
        "天津市网络安全协会",
        C.ASSOCIATION,
        [SECURITY],
        "河东区",
        7,
        0,
        "security",
        Membership.Role.VICE_PRESIDENT,
    ),
    # Covered through the federation's board branch.
    UnitSpec(
        "天津市网络文化研究院",
        C.INSTITUTE,
        [CONTENT],
        "和平区",
        2,
        0,
        "board",
        Membership.Role.DIRECTOR,
        legal_form=L.PRIVATE_NON_ENTERPRISE,
    ),
    UnitSpec(
        "天津市智能科技产业研究院",
        C.INSTITUTE,
        [SMART],
        "滨海新区",
        1,
        0,
        "board",
        Membership.Role.DIRECTOR,
        legal_form=L.PRIVATE_NON_ENTERPRISE,
    ),
    # First joint branch: four small units (1–2 members each).
    UnitSpec("天津市数字经济商会", C.CHAMBER, [SMART], "河西区", 2, 0, "joint1"),
    UnitSpec("天津市网络视听协会", C.ASSOCIATION, [CONTENT], "河西区", 1, 0, "joint1"),
    UnitSpec("天津市信息服务业商会", C.CHAMBER, [SECURITY], "红桥区", 2, 0, "joint1"),
    UnitSpec("天津市新媒体协会", C.ASSOCIATION, [CONTENT], "河北区", 1, 1, "joint1"),
    # Second joint branch: six units, one more than the cap (deliberate).
    UnitSpec(
        "天津市网络公益协会",
        C.ASSOCIATION,
        [CONTENT],
        "东丽区",
        1,
        0,
        "joint2",
        joined=datetime.date(2019, 6, 3),
    ),
    UnitSpec("天津市电子竞技协会", C.ASSOCIATION, [CONTENT], "东丽区", 1, 0, "joint2"),
    UnitSpec("天津市云计算学会", C.SOCIETY, [SMART], "北辰区", 2, 0, "joint2"),
    UnitSpec("天津市数字创意产业协会", C.ASSOCIATION, [CONTENT], "北辰区", 1, 0, "joint2"),
    UnitSpec("天津市网络摄影协会", C.ASSOCIATION, [CONTENT], "武清区", 1, 0, "joint2"),
    UnitSpec(
        "天津市信息技术应用创新协会",
        C.ASSOCIATION,
        [SECURITY],
        "武清区",
        2,
        0,
        "joint2",
        joined=datetime.date(2019, 8, 26),
    ),
    # No party organization: the deliberate 应建未建 (4 full members).
    UnitSpec(
        "天津市网络直播行业协会",
        C.ASSOCIATION,
        [CONTENT],
        "河东区",
        4,
        1,
        None,
        joined=datetime.date(2019, 11, 18),
    ),
    # Two full + one probationary: below the threshold, work coverage by an instructor.
    UnitSpec(
        "天津市区块链协会",
        C.ASSOCIATION,
        [SMART],
        "滨海新区",
        2,
        1,
        None,
        charter_clause=False,
        extra={"instructor": "wang"},
    ),
    # No members; instructor gives work coverage.
    UnitSpec(
        "天津市网络安全技术研究院",
        C.INSTITUTE,
        [SECURITY],
        "西青区",
        0,
        0,
        None,
        legal_form=L.PRIVATE_NON_ENTERPRISE,
        extra={"instructor": "wang"},
    ),
    UnitSpec(
        "天津市青少年网络素养教育协会",
        C.ASSOCIATION,
        [CONTENT],
        "和平区",
        0,
        0,
        None,
        extra={"instructor": "li"},
    ),
    UnitSpec(
        "天津市地理信息产业协会",
        C.ASSOCIATION,
        [SMART],
        "津南区",
        1,
        0,
        None,
        extra={"instructor": "li"},
    ),
    # No members and no instructor (deliberate: needs an instructor).
    UnitSpec("天津市网络游戏行业协会", C.ASSOCIATION, [CONTENT], "河北区", 0, 0, None),
    # Board decision taken without the party organization this year (deliberate).
    UnitSpec(
        "天津市信息化协会",
        C.ASSOCIATION,
        [SECURITY],
        "红桥区",
        3,
        0,
        "security",
        decisions_with_party=False,
    ),
    # Non-public internet enterprises that joined as members.
    UnitSpec(
        "天津云帆网络科技有限公司",
        C.ENTERPRISE,
        [SMART],
        "滨海新区",
        3,
        0,
        "internet",
        legal_form=L.ENTERPRISE,
    ),
    UnitSpec(
        "天津星海数据技术有限公司",
        C.ENTERPRISE,
        [SMART],
        "滨海新区",
        2,
        0,
        "joint1",
        legal_form=L.ENTERPRISE,
    ),
    UnitSpec(
        "天津津彩互动传媒有限公司",
        C.ENTERPRISE,
        [CONTENT],
        "南开区",
        0,
        0,
        None,
        legal_form=L.ENTERPRISE,
        extra={"instructor": "li"},
    ),
    UnitSpec(
        "天津智链信息科技有限公司",
        C.ENTERPRISE,
        [SECURITY],
        "西青区",
        1,
        0,
        None,
        legal_form=L.ENTERPRISE,
        extra={"instructor": "wang"},
    ),
    UnitSpec(
        "天津海河融媒科技有限公司",
        C.ENTERPRISE,
        [CONTENT],
        "河西区",
        2,
        0,
        "media",
        legal_form=L.ENTERPRISE,
    ),
    # A former member: left in 2024, kept for history.
    UnitSpec(
        "天津市网吧行业协会",
        C.ASSOCIATION,
        [CONTENT],
        "红桥区",
        0,
        0,
        None,
        left=datetime.date(2024, 6, 30),
    ),
]

# What the rules must find in the demo, and nothing more. Tests read this list.
PROBLEMS = [
    ("formation.required_not_formed", "天津市网络直播行业协会"),
    ("formation.needs_instructor", "天津市网络游戏行业协会"),
    ("formation.joint_branch_too_many_units", "网信领域社会组织第二联合党支部"),
    ("formation.needs_committee", "天津市人工智能学会党支部"),
    ("terms.overdue", "天津市软件行业协会党支部"),
    ("terms.secretary_vacant", "天津市物联网学会党支部"),
    # A vacant secretary post is one of the four standards (有书记) not met, too.
    ("standards.incomplete", "天津市物联网学会党支部"),
    ("orglife.irregular", "天津市电子商务协会党支部"),
    ("shell.empty_branch", "天津市电子商务协会党支部"),
    ("shell.empty_branch", "天津市物联网学会党支部"),
    ("governance.charter_lacks_clause", "天津市区块链协会"),
    ("governance.no_party_in_decisions", "天津市信息化协会"),
    # From the inspections app's demo data: no annual report for two years, unreachable on a visit.
    ("dormancy.dormant_society", "天津市网络游戏行业协会"),
    ("credit.abnormal_list_proposal", "天津市网络游戏行业协会"),
    # No party organization where the rules require one is itself an abnormal-list condition.
    ("credit.abnormal_list_proposal", "天津市网络直播行业协会"),
    # From the dues app's demo data: a member of this branch has not paid for six ended months.
    ("dues.arrears", "天津市互联网金融协会党支部"),
    # From the orglife app's demo data: records that cannot be faked quietly. The media branch
    # copied the internet branch's minutes and reused the finance branch's photo; a member of
    # the internet branch is recorded at the committee's session at the same time elsewhere
    # (both meetings are found); the big-data branch's QR sign-ins fall outside the time its
    # record gives; the security branch's record was written 45 days after the meeting.
    ("integrity.minutes_copied", "天津市文化传媒商会党支部"),
    ("integrity.photo_reused", "天津市文化传媒商会党支部"),
    ("integrity.impossible_attendance", "天津市互联网协会党支部"),
    ("integrity.impossible_attendance", "天津市互联网行业党委"),
    ("integrity.impossible_attendance", "天津市大数据协会党支部"),
    ("integrity.late_record", "天津市网络安全协会党支部"),
    # From the recruitment demo: an applicant of 45 days with no talk yet (due within a month).
    ("recruitment.overdue", "天津市互联网金融协会党支部"),
    # From the transfers app's demo data: a letter out of the system whose receipt never came
    # back, and a membership suspended 25 months ago awaiting the removal review.
    ("transfers.overdue", "天津市软件行业协会党支部"),
    ("members.lost_contact", "天津市软件行业协会党支部"),
]
