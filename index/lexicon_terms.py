"""Domain vocabulary for keyword search: disclosure terms jieba must keep whole, region names.

The terms are the printed labels of the official report tables (table_formats.md) and the
phrases that recur in 工作要点 and reports. Region names come from the ingested documents.
"""

from __future__ import annotations

import re

from index.tag import short_region

DOMAIN_TERMS: tuple[str, ...] = (
    # the disclosure regime
    "政府信息公开", "政务公开", "信息公开", "主动公开", "依申请公开", "依申请", "申请公开",
    "予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理", "区分处理",
    "公开属性", "源头认定", "保密审查", "政策解读", "解读回应", "回应关切", "舆情回应",
    "政务舆情", "政府公报", "政府网站", "门户网站", "政务新媒体", "政府开放日", "政府开放",
    "政务公开专区", "信息公开专栏", "信息公开指南", "年度报告", "工作要点", "任务分解表",
    "标准化规范化", "基层政务公开", "标准目录", "负面清单", "权责清单", "信息处理费",
    "勾稽关系",
    # table 二 (主动公开) rows and columns
    "规章", "规范性文件", "行政规范性文件", "行政许可", "其他对外管理服务事项", "行政处罚",
    "行政强制", "行政事业性收费", "政府集中采购", "本年新制作数量", "本年新公开数量",
    "对外公开总数量", "上一年项目数量", "本年增减", "处理决定数量", "本年处理决定数量",
    "采购项目数量", "采购总金额", "本年制发件数", "本年废止件数", "现行有效件数",
    "本年收费金额",
    # table 三 (依申请) rows and columns
    "本年新收", "上年结转", "结转下年度", "本年度办理结果", "自然人", "法人或其他组织",
    "商业企业", "科研机构", "社会公益组织", "法律服务机构", "国家秘密", "三安全一稳定",
    "第三方合法权益", "内部事务信息", "过程性信息", "行政执法案卷", "行政查询事项",
    "本机关不掌握", "另行制作", "信访举报投诉", "重复申请", "公开出版物", "大量反复申请",
    # table 四 (复议诉讼)
    "行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "未经复议直接起诉",
    "直接起诉", "复议后起诉", "纠错率", "败诉率", "被纠错",
    # recurring work-point phrases
    "重大行政决策", "重大决策预公开", "双随机一公开", "双随机", "放管服", "互联网+监管",
    "一网通办", "一网统管", "一窗受理", "一链办理", "掌上办", "好差评", "最多跑一次",
    "告知承诺制", "营商环境", "六稳", "六保", "三大攻坚战", "疫情防控", "复工复产复学",
    "减税降费", "涉企政策", "惠企政策", "证明事项", "无证明城市", "泉城码", "人大代表建议",
    "政协提案", "建议提案", "新旧动能转换", "乡村振兴", "脱贫攻坚", "污染防治", "社会救助",
    "公共企事业单位", "集约化", "无障碍", "适老化", "一镇一特色", "回头看", "责任单位",
    "完成时限", "具体要求", "工作任务", "长期坚持", "谁起草谁解读", "属地管理",
    # offices that recur as 责任单位
    "区政府办公室", "区民政局", "区教育和体育局", "区人力资源社会保障局", "区医保局",
    "区财政局", "区卫生健康局", "区市场监管局", "区发展改革局", "区行政审批服务局",
    "区大数据局", "区司法局", "区住房城乡建设局", "区交通运输局", "区城管局", "区应急局",
    "区农业农村局", "区科技局", "区税务局", "区委编办", "区扶贫办", "区图书馆", "区档案馆",
)  # fmt: skip

# Characters a question may put between the parts of a term the documents print joined, or the
# reverse: 双随机、一公开 and 双随机一公开 must meet in the index.
_TERM_JOINERS = re.compile(r"(?<=双随机)、(?=一公开)|(?<=增)/(?=减)")


def normalize_for_terms(text: str) -> str:
    """Join the spellings of a term that differ only by a separator (双随机、一公开 → 双随机一公开)."""
    return _TERM_JOINERS.sub("", text)


def region_names(region: str) -> list[str]:
    """Ways a question may name ``region``: 济南市莱芜区 → [济南市莱芜区, 莱芜区, 莱芜].

    The parent city is not a name of the district (济南市 is not 莱芜区).
    """
    if not region:
        return []
    short = short_region(region)
    names = [region, short]
    stem = short[:-1]
    if len(stem) >= 2:
        names.append(stem)
    return list(dict.fromkeys(names))
