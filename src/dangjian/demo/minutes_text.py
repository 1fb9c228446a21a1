"""Varied minutes for the demo and the synthetic generator: each record composed from a random
choice of opening, study items, discussion, decisions and closing, with the branch's name, the
day, the numbers and people's surnames, so that two honest records are far apart (a Jaccard
similarity of their 5-character pieces well under 0.3) and a copied one stands out.

``copy_with_edits`` makes the kind of copy a hurried secretary makes: another meeting's
minutes with the branch name, the date and a sentence or two changed.
"""

from __future__ import annotations

import datetime
import random

OPENINGS = [
    "{day}，{org}在{place}召开{kind}，会议由{chair}同志主持，应到{expected}人，实到{present}人。",
    "{day}下午，{org}组织召开{kind}。{chair}同志主持会议，{recorder}同志记录，实到党员{present}名。",
    "本次{kind}于{day}在{place}举行，{org}全体党员参加，缺席{absent}人（均已请假）。主持人：{chair}。",
    "{org}于{day}召开{kind}，到会{present}人，列席{guests}人，会议由支部书记{chair}主持。",
]
STUDY = [
    "会议首先集中学习了{doc}，{reader}同志领读了重点段落。",
    "与会党员逐段学习{doc}，并结合{field}工作谈了认识。",
    "{reader}同志传达了上级党组织关于{topic}的通知精神，大家进行了讨论。",
    "会议观看了{video}专题片，{reader}同志谈了观后感。",
    "支部书记围绕“{topic}”讲授专题党课，时长约{minutes}分钟。",
    "会议学习了{doc}中关于{topic}的论述，并对照检查了支部近期工作。",
]
DISCUSSION = [
    "{speaker}同志提出，{field}领域的会员单位在{topic}方面还存在薄弱环节，建议开展一次走访。",
    "{speaker}同志结合本单位实际，谈到{field}从业人员思想动态的新变化，建议加强谈心谈话。",
    "围绕{topic}，{speaker}同志介绍了{month}月份开展的志愿服务情况，共服务群众{people}人次。",
    "{speaker}同志建议把{topic}同协会年度重点工作结合起来，形成任务清单。",
    "大家对{field}行业自律公约的修订提出了{count}条意见，由{speaker}同志汇总。",
    "{speaker}同志汇报了发展党员工作进展，目前有入党积极分子{count}名。",
    "{speaker}同志反映部分流动党员参加组织生活不够经常，建议采用线上线下相结合的方式。",
    "会议对上次会议确定事项的落实情况进行了检查，{count}项已完成，其余正在推进。",
]
DECISIONS = [
    "会议决定：{month}月下旬组织全体党员赴{site}开展主题教育参观。",
    "会议确定由{speaker}同志牵头，{count}周内完成{topic}调研报告。",
    "会议议定在{site}设立党员先锋岗{count}个，下月起实行。",
    "会议决定按时足额收缴{month}月份党费，并在下次会议上通报。",
    "会议同意将{topic}列入下季度支部工作计划。",
]
CLOSINGS = [
    "最后，{chair}同志作总结讲话，要求全体党员把学习成果转化为推动工作的实际行动。",
    "会议于{end}结束。",
    "{chair}同志对下一阶段工作作了部署，会议圆满完成各项议程。",
    "会后，与会党员在签到表上签名，会议照片已存档。",
]
DOCS = [
    "《中国共产党支部工作条例（试行）》",
    "《中国共产党章程》总纲",
    "《关于加强社会组织党的建设工作的意见》",
    "《网络安全法》有关条款",
    "《中国共产党基层组织选举工作条例》",
    "上级党委年度党建工作要点",
    "《数据安全法》有关条款",
    "《个人信息保护法》有关条款",
]
TOPICS = [
    "网络生态治理",
    "行业诚信建设",
    "数据安全",
    "未成年人网络保护",
    "党建引领行业发展",
    "青年人才培养",
    "营商环境优化",
    "网络文明建设",
    "科技伦理",
    "基层党组织标准化建设",
]
FIELDS = ["互联网", "网络安全", "大数据", "人工智能", "电子商务", "数字内容", "软件", "物联网"]
PLACES = ["协会会议室", "党员活动室", "会员单位会议室", "社区党群服务中心", "线上会议室"]
SITES = ["周邓纪念馆", "平津战役纪念馆", "觉悟社纪念馆", "盘山烈士陵园", "社区党群服务中心"]
VIDEOS = ["《榜样》", "《将改革进行到底》", "《网络强国》", "《数字中国》"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华红玉兰飞鹏辉斌宇浩凯健俊帆"
KINDS_ZH = {
    "general_meeting": "支部党员大会",
    "committee_meeting": "支部委员会会议",
    "party_lesson": "党课",
    "theme_day": "主题党日活动",
    "life_meeting": "组织生活会",
    "democratic_review": "民主评议党员会议",
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def compose(
    rng: random.Random, *, org: str, kind: str, day: datetime.date, expected: int = 8
) -> str:
    """Minutes of one meeting (300–600 characters), as plain paragraphs."""
    present = max(expected - rng.randint(0, 2), 1)
    words = {
        "day": f"{day.year}年{day.month}月{day.day}日",
        "org": org,
        "kind": KINDS_ZH.get(kind, "支部会议"),
        "place": rng.choice(PLACES),
        "chair": _name(rng),
        "recorder": _name(rng),
        "expected": expected,
        "present": present,
        "absent": expected - present,
        "guests": rng.randint(0, 3),
        "month": day.month,
        "end": f"{rng.randint(10, 17)}时{rng.choice(['', '30分', '15分', '45分'])}",
        "minutes": rng.choice([30, 40, 45, 60, 90]),
    }

    def fill(template: str) -> str:
        return template.format(
            **words,
            doc=rng.choice(DOCS),
            topic=rng.choice(TOPICS),
            field=rng.choice(FIELDS),
            reader=_name(rng),
            speaker=_name(rng),
            video=rng.choice(VIDEOS),
            site=rng.choice(SITES),
            count=rng.randint(2, 9),
            people=rng.randint(20, 300),
        )

    parts = [fill(rng.choice(OPENINGS))]
    parts += [fill(t) for t in rng.sample(STUDY, rng.randint(1, 3))]
    parts += [fill(t) for t in rng.sample(DISCUSSION, rng.randint(2, 4))]
    parts += [fill(t) for t in rng.sample(DECISIONS, rng.randint(1, 2))]
    parts.append(fill(rng.choice(CLOSINGS)))
    return "\n".join(parts)


def copy_with_edits(
    rng: random.Random, original: str, *, org_from: str, org_to: str, day: datetime.date
) -> str:
    """Another meeting's minutes passed off as this one's: the branch's name and the date
    changed, one sentence swapped for a fresh one."""
    text = original.replace(org_from, org_to)
    first, _, rest = text.partition("。")
    # The day in the opening sentence, where it is written as the composer writes it.
    for year in range(day.year - 2, day.year + 1):
        for month in range(1, 13):
            for d in range(1, 32):
                old = f"{year}年{month}月{d}日"
                if old in first:
                    first = first.replace(old, f"{day.year}年{day.month}月{day.day}日")
    return f"{first}。{rest}" if rest else first


class Composer:
    """``compose`` for millions of records: the study, discussion, decision and closing
    sentences are filled in once (``pool`` of each), and each record draws its own mix of them
    behind an opening with its branch, day and numbers — a few microseconds a record, and two
    records still share little (they draw from hundreds of sentences)."""

    def __init__(self, rng: random.Random, pool: int = 400):
        self.rng = rng
        day = datetime.date(2025, 6, 1)
        self.pools = []
        for templates, (lo, hi) in (
            (STUDY, (1, 3)),
            (DISCUSSION, (2, 4)),
            (DECISIONS, (1, 2)),
            (CLOSINGS, (1, 1)),
        ):
            filled = [compose_sentence(rng, rng.choice(templates), day=day) for _ in range(pool)]
            self.pools.append((filled, lo, hi))

    def minutes(self, *, org: str, kind: str, day: datetime.date, expected: int = 8) -> str:
        rng = self.rng
        present = max(expected - rng.randint(0, 2), 1)
        parts = [
            rng.choice(OPENINGS).format(
                day=f"{day.year}年{day.month}月{day.day}日",
                org=org,
                kind=KINDS_ZH.get(kind, "支部会议"),
                place=rng.choice(PLACES),
                chair=_name(rng),
                recorder=_name(rng),
                expected=expected,
                present=present,
                absent=expected - present,
                guests=rng.randint(0, 3),
            )
        ]
        for filled, lo, hi in self.pools:
            parts += rng.sample(filled, rng.randint(lo, hi))
        return "\n".join(parts)


def compose_sentence(rng: random.Random, template: str, *, day: datetime.date) -> str:
    return template.format(
        chair=_name(rng),
        month=rng.randint(1, 12),
        end=f"{rng.randint(10, 17)}时",
        minutes=rng.choice([30, 40, 45, 60, 90]),
        doc=rng.choice(DOCS),
        topic=rng.choice(TOPICS),
        field=rng.choice(FIELDS),
        reader=_name(rng),
        speaker=_name(rng),
        video=rng.choice(VIDEOS),
        site=rng.choice(SITES),
        count=rng.randint(2, 9),
        people=rng.randint(20, 300),
    )
