"""The built-in report definitions (REPORTS.md §1–§7), as data. The data migration seeds them; a
county edits them on the definitions page like any other. Fields are the datasets' (``datasets.py``)."""

from __future__ import annotations


def _c(field: str, header: str, fmt: str = "text", **extra) -> dict:
    return {"field": field, "header": header, "format": fmt, **extra}


BUILTINS: dict[str, tuple[str, dict]] = {
    "disbursement_detail": ("扶贫小额贷款发放情况明细表", {
        "title": "扶贫小额贷款发放情况明细表", "dataset": "loans_disbursed", "params": ["region", "month", "bank"],
        "unit": "元", "numbered": True, "group_by": "township", "totals": True, "footer": "",
        "columns": [_c("township", "乡镇"), _c("village", "村"), _c("head_name", "户主姓名"), _c("borrower", "借款人"),
                    _c("id_number", "身份证号"), _c("household_status", "户类型"), _c("grade", "信用等级"),
                    _c("credit_limit", "授信额度", "money", total="none"), _c("number", "借据号"),
                    _c("principal", "贷款金额", "money"), _c("disbursed_on", "放款日期", "date"),
                    _c("maturity_date", "到期日期", "date"), _c("term_months", "期限(月)", "int", total="none"),
                    _c("annual_rate", "年利率(%)", "rate"), _c("purpose", "贷款用途(产业)"), _c("usage_mode", "使用方式"),
                    _c("bank", "放款银行(支行)"), {"field": "", "header": "备注", "format": "blank"}],
    }),
    "management_monthly": ("扶贫小额贷款管理月报表", {
        "title": "扶贫小额贷款管理月报表", "dataset": "indicators", "params": ["region", "month", "bank"],
        "unit": "元", "numbered": False, "group_by": "", "totals": True, "footer": "",
        "columns": [_c("unit", "单位"), _c("households_eligible", "建档立卡户数", "int"),
                    _c("rated_households", "已评级授信户数", "int"), _c("credit_amount", "授信金额", "money"),
                    _c("month_households", "本月放款户数", "int"), _c("month_amount", "本月放款金额", "money"),
                    _c("cumulative_loans", "累计放款户次", "int"), _c("cumulative_amount", "累计放款金额", "money"),
                    _c("balance", "贷款余额", "money"), _c("households_outstanding", "余额户数", "int"),
                    _c("overdue_balance", "逾期金额", "money"), _c("npl_balance", "不良金额", "money"),
                    _c("overdue_ratio", "逾期率", "ratio", ratio_of=["overdue_balance", "balance"]),
                    _c("npl_ratio", "不良率", "ratio", ratio_of=["npl_balance", "balance"]),
                    _c("households_borrowed_ever", "累计获贷户数", "int"),
                    _c("access_rate", "获贷率", "ratio", ratio_of=["households_borrowed_ever", "households_eligible"]),
                    _c("due_in_period", "本月到期金额", "money"), _c("repaid_on_time_in_period", "本月到期已还金额", "money"),
                    _c("on_time_rate", "到期还款率", "ratio", ratio_of=["repaid_on_time_in_period", "due_in_period"])],
    }),
    "subsidy_quarterly": ("扶贫小额贷款贴息情况季度报表", {
        "title": "扶贫小额贷款贴息情况季度报表", "dataset": "subsidy_lines", "params": ["region", "quarter", "bank"],
        "unit": "元", "numbered": True, "group_by": "bank", "totals": True, "footer": "",
        "columns": [_c("bank", "银行"), _c("township", "乡镇"), _c("village", "村"), _c("borrower", "借款人"),
                    _c("number", "借据号"), _c("principal", "贷款金额", "money", total="none"),
                    _c("period_start", "计息起日", "date"), _c("due_date", "计息止日", "date"),
                    _c("days", "计息天数", "int", total="none"), _c("annual_rate", "执行利率(%)", "rate"),
                    _c("subsidy_rate", "贴息利率(%)", "rate"), _c("subsidy_ratio", "贴息比例", "ratio"),
                    _c("amount", "应贴息金额", "money"), _c("on_time", "是否按期还款"), _c("reason", "备注")],
    }),
    "risk_fund_ledger": ("风险补偿金台账", {
        "title": "风险补偿金台账", "dataset": "fund_accounts", "params": ["month", "bank"],
        "unit": "元", "numbered": True, "group_by": "", "totals": True, "footer": "",
        "columns": [_c("bank", "银行"), _c("account", "专户"), _c("opening", "期初余额", "money"),
                    _c("deposits", "本期存入", "money"), _c("interest", "利息收入", "money"),
                    _c("payouts", "本期代偿", "money"), _c("recoveries", "本期追回", "money"),
                    _c("transfers_out", "本期调出", "money"), _c("closing", "期末余额", "money"),
                    _c("leverage", "放大倍数", "int", total="none"), _c("quota", "可放贷额度", "money"),
                    _c("loan_balance", "贷款余额", "money"),
                    _c("quota_used", "额度使用率", "ratio", ratio_of=["loan_balance", "quota"])],
    }),
    "overdue_list": ("逾期贷款清单", {
        "title": "逾期贷款清单", "dataset": "overdue_loans", "params": ["region", "bank"],
        "unit": "元", "numbered": True, "group_by": "township", "totals": True, "footer": "",
        "columns": [_c("township", "乡镇"), _c("village", "村"), _c("borrower", "借款人"), _c("phone", "电话"),
                    _c("number", "借据号"), _c("principal", "贷款金额", "money"), _c("balance", "贷款余额", "money"),
                    _c("overdue_principal", "逾期本金", "money"), _c("overdue_interest", "欠息", "money"),
                    _c("penalty", "罚息", "money"), _c("overdue_since", "逾期起始日", "date"),
                    _c("days_past_due", "逾期天数", "int", total="none"), _c("classification", "五级分类"),
                    _c("light", "预警灯"), _c("bank", "贷款银行")],
    }),
    "maturity_list": ("到期提醒名单", {
        "title": "到期提醒名单", "dataset": "maturities", "params": ["region", "as_of", "months", "bank"],
        "unit": "元", "numbered": True, "group_by": "township", "totals": True, "footer": "",
        "columns": [_c("township", "乡镇"), _c("village", "村"), _c("borrower", "借款人"), _c("phone", "电话"),
                    _c("number", "借据号"), _c("maturity_date", "到期日", "date"),
                    _c("balance", "到期本金", "money"), _c("bank", "贷款银行"),
                    {"field": "", "header": "帮扶责任人", "format": "blank"}],
    }),
    "public_notice": ("扶贫小额贷款公示名单", {
        "title": "扶贫小额贷款公示名单", "dataset": "public_notice", "params": ["region", "month", "bank"],
        "unit": "元", "numbered": True, "group_by": "village", "totals": True,
        "footer": "公示期：自公示之日起 7 天。监督电话：__________　　村委会（盖章）",
        "columns": [_c("village", "村"), _c("head_name", "户主"), _c("borrower", "借款人"),
                    _c("principal", "贷款金额", "money"), _c("term_months", "期限(月)", "int", total="none"),
                    _c("purpose", "用途"), _c("bank", "放款银行")],
    }),
}
