"""Demo data: agencies of 嘉定区, 长宁区, 昆山市, 太仓市 and their superiors, users of each role, the processes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from workflows.deployment.deploy import deploy_folder
from workflows.directory import entries as directory

DEMO_PASSWORD = "xietong-demo"

AGENCY_TYPES = [
    ("market_supervision", "市场监督管理局（知识产权局）",
     "查处违法行为，移送涉嫌犯罪案件，移送线索"),
    ("ip_office", "知识产权局（上级）", "答复请示，指定管辖"),
    ("police", "公安机关", "接收移送案件，作出是否立案的决定"),
    ("procuratorate", "人民检察院", "接收抄送，开展立案监督"),
    ("court", "人民法院", "司法确认，委派调解"),
    ("mediation_committee", "知识产权纠纷人民调解委员会", "调解知识产权纠纷"),
    ("leading_group_office", "打击侵权假冒工作领导小组办公室", "统筹督导与统计"),
    ("tax", "税务局", "接收涉税线索"),
    ("copyright", "版权局", "接收盗版线索"),
    ("administration", "系统管理", "运行维护本系统"),
]

# code, name, type, jurisdiction, level, parent
AGENCIES = [
    ("sh_ipo", "上海市知识产权局", "ip_office", "上海市", "city", None),
    ("sz_ipo", "苏州市知识产权局", "ip_office", "苏州市", "city", None),
    ("jd_msa", "嘉定区市场监督管理局", "market_supervision", "嘉定区", "district", "sh_ipo"),
    ("jd_police", "上海市公安局嘉定分局", "police", "嘉定区", "district", None),
    ("jd_procuratorate", "嘉定区人民检察院", "procuratorate", "嘉定区", "district", None),
    ("jd_court", "嘉定区人民法院", "court", "嘉定区", "district", None),
    ("jd_mediation", "嘉定区知识产权纠纷人民调解委员会", "mediation_committee", "嘉定区", "district", None),
    ("jd_leading_group", "嘉定区打击侵权假冒工作领导小组办公室", "leading_group_office", "嘉定区", "district", None),
    ("jd_tax", "国家税务总局上海市嘉定区税务局", "tax", "嘉定区", "district", None),
    ("jd_copyright", "嘉定区版权局（区委宣传部）", "copyright", "嘉定区", "district", None),
    ("cn_msa", "长宁区市场监督管理局", "market_supervision", "长宁区", "district", "sh_ipo"),
    ("cn_police", "上海市公安局长宁分局", "police", "长宁区", "district", None),
    ("cn_procuratorate", "长宁区人民检察院", "procuratorate", "长宁区", "district", None),
    ("ks_msa", "昆山市市场监督管理局", "market_supervision", "昆山市", "district", "sz_ipo"),
    ("ks_police", "昆山市公安局", "police", "昆山市", "district", None),
    ("ks_procuratorate", "昆山市人民检察院", "procuratorate", "昆山市", "district", None),
    ("tc_msa", "太仓市市场监督管理局", "market_supervision", "太仓市", "district", "sz_ipo"),
    ("tc_police", "太仓市公安局", "police", "太仓市", "district", None),
    ("tc_procuratorate", "太仓市人民检察院", "procuratorate", "太仓市", "district", None),
    ("xietong_admin", "协同平台管理", "administration", "上海市", "city", None),
]

# username, display name, agency, roles
DEMO_USERS = [
    ("admin", "系统管理员", "xietong_admin", ["admin"]),
    ("jd_msa_liaison", "王敏（嘉定市监联络员）", "jd_msa", ["liaison"]),
    ("jd_msa_leader", "李强（嘉定市监负责人）", "jd_msa", ["leader", "liaison"]),
    ("jd_police_liaison", "张伟（嘉定公安联络员）", "jd_police", ["liaison"]),
    ("jd_police_leader", "陈刚（嘉定公安负责人）", "jd_police", ["leader", "liaison"]),
    ("jd_procurator", "刘洋（嘉定检察官）", "jd_procuratorate", ["liaison"]),
    ("jd_procur_leader", "赵静（嘉定检察院负责人）", "jd_procuratorate", ["leader", "liaison"]),
    ("jd_court_clerk", "孙丽（嘉定法院立案庭）", "jd_court", ["clerk"]),
    ("jd_judge", "周明（嘉定法院法官）", "jd_court", ["judge"]),
    ("jd_court_president", "黄志远（嘉定法院院长）", "jd_court", ["leader", "judge"]),
    ("jd_mediator", "吴芳（调解员）", "jd_mediation", ["mediator", "liaison"]),
    ("jd_mediation_leader", "许德明（调委会主任）", "jd_mediation", ["leader", "mediator"]),
    ("jd_tax_liaison", "沈悦（嘉定税务联络员）", "jd_tax", ["liaison"]),
    ("jd_supervisor", "郑华（领导小组办公室）", "jd_leading_group", ["supervisor"]),
    ("cn_msa_liaison", "钱进（长宁市监联络员）", "cn_msa", ["liaison"]),
    ("cn_police_liaison", "冯磊（长宁公安联络员）", "cn_police", ["liaison"]),
    ("ks_msa_liaison", "蒋涛（昆山市监联络员）", "ks_msa", ["liaison"]),
    ("ks_msa_leader", "曹静（昆山市监负责人）", "ks_msa", ["leader", "liaison"]),
    ("ks_police_liaison", "韩梅（昆山公安联络员）", "ks_police", ["liaison"]),
    ("tc_msa_liaison", "杨帆（太仓市监联络员）", "tc_msa", ["liaison"]),
    ("sh_ipo_liaison", "朱琳（市知识产权局）", "sh_ipo", ["liaison", "leader"]),
    ("sz_ipo_liaison", "秦川（苏州市知识产权局）", "sz_ipo", ["liaison", "leader"]),
]


def load_demo(session: Session, bpmn_dir: Path | None) -> None:
    """Create the demo directory and deploy the shipped processes (none when bpmn_dir is None)."""
    for code, name, description in AGENCY_TYPES:
        directory.create_agency_type(session, None, code, name, description)
    for code, name, type_code, jurisdiction, level, parent in AGENCIES:
        directory.create_agency(session, None, code=code, name=name, type_code=type_code,
                                jurisdiction=jurisdiction, level=level, parent_code=parent)
    for username, display_name, agency, roles in DEMO_USERS:
        directory.create_user(session, None, username=username, display_name=display_name, agency_code=agency,
                              roles=roles, password=DEMO_PASSWORD)
    if bpmn_dir is not None:
        deploy_folder(session, bpmn_dir)
