"""Fictional Chinese names of the demo district: roads, compounds, people."""

from __future__ import annotations

import numpy as np

# North-south and east-west road stems (disjoint so that no two roads share a name).
_NS_STEMS = (
    "桂林", "钦州", "柳州", "宜山", "田林", "古美", "莲花", "桂平", "桂菁", "苍梧", "银都",
    "合川", "龙茗", "吴中", "平南", "桂江", "浦北", "东兰", "南宁", "凯旋", "百色", "梧州",
    "贵港", "玉林", "北流", "容县", "岑溪", "蒙山", "昭平", "钟山", "富川", "兴安", "全州",
    "阳朔", "灵川", "永福", "荔浦", "恭城", "资源", "龙胜", "平乐", "象州", "武宣", "忻城",
)
_EW_STEMS = (
    "漕宝", "虹漕", "田州", "宜州", "漕溪", "零陵", "龙吴", "石龙", "华石", "宛平", "天钥",
    "南丹", "裕德", "嘉川", "康健", "吴兴", "永嘉", "斜土", "丰谷", "天等", "凌云", "靖西",
    "德保", "那坡", "隆林", "西林", "乐业", "田阳", "田东", "平果", "天峨", "凤山", "东山",
    "巴马", "都安", "大化", "环江", "罗城", "融水", "三江", "融安", "梓园", "虹梓", "梅岭",
)
_CN_NUM = ("", "二", "三", "四", "五", "六", "七", "八", "九", "十")

_NAME_A = "康乐华金景长和幸阳春枫桂紫玉海锦明安永兴福瑞嘉泰盛丰宝星翠绿"
_NAME_B = "城湾庭都府居宁和祥晖辉雅佳美秀丽欣怡润泽馨晟逸"
_NAME_SUFFIX = ("小区", "新村", "花园", "公寓", "家园")
_PHASES = ("", "二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期")

_PROPERTY = (
    "上海梓园物业管理有限公司", "上海虹旭物业管理有限公司", "上海康居物业服务有限公司",
    "上海汇成物业管理有限公司", "上海申梓物业管理有限公司", "上海城兴物业服务有限公司",
    "上海嘉和物业管理有限公司", "上海安邻物业服务有限公司", "上海新梅物业管理有限公司",
    "上海虹梓房管所物业服务中心",
)
_BRANDS = ("汇梓", "嘉旭", "星汇", "华亭", "宏梓", "金虹", "锦峰", "瑞丰", "东梓", "新虹",
           "天钥", "申汇", "虹锦", "梓韵")
_SCHOOL_SUFFIX = ("小学", "中学", "实验小学", "初级中学")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢钟"
_GIVEN = ("伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
          "明", "超", "秀英", "华", "慧", "建国", "建华", "国强", "文", "斌", "宇", "晨", "佳",
          "婷", "浩", "俊", "玉兰", "海燕", "志强", "红梅", "春华", "立新", "卫东", "雯")


def _road_names(stems, n: int, rng) -> list[str]:
    order = rng.permutation(len(stems))
    names = []
    for k in range(n):
        stem = stems[order[k % len(stems)]]
        r = k // len(stems)
        num = _CN_NUM[r] if r < len(_CN_NUM) else str(r + 1)
        names.append(f"{stem}{num}路")
    return names


def _compound_names(n: int, rng) -> np.ndarray:
    base = [f"{a}{b}{s}" for a in _NAME_A for b in _NAME_B for s in _NAME_SUFFIX if a != b]
    order = rng.permutation(len(base))
    out = np.empty(n, dtype=object)
    for k in range(n):
        r = k // len(base)
        phase = _PHASES[r] if r < len(_PHASES) else f"{r + 1}期"
        out[k] = base[order[k % len(base)]] + phase
    return out


def _person_names(n: int, rng) -> np.ndarray:
    sur = rng.integers(0, len(_SURNAMES), n)
    giv = rng.integers(0, len(_GIVEN), n)
    return np.array([_SURNAMES[a] + _GIVEN[b] for a, b in zip(sur, giv, strict=True)], dtype=object)
