"""Rules: what the notice (通知) and the office decide, as pure checks and orderings.

    idcard       身份证号码: format, check character, birth date, gender
    retirement   retirement ages and how far a nominee is from them
    workdays     working days, 公示 periods, Chinese dates
    normalize    cleaning names, units and dates read from input
    phones       phone number shapes (the check and the privacy scan)
    roster       roster.xlsx / .csv → Candidates, with ROSTER_* findings
    materials    a nominee's folder → Materials (deeds, evidence, photo)
    checks       the nomination checks (codes in docs/codes.md)
    photo        the 2-inch photo: load, colour, background, face, framing, normalise, verdict
    privacy      what may be published: ID numbers, phones, addresses redacted and guarded
    strokes      姓氏笔画 order of every public list
    awardees     Awardee / AwardeeList: the proposed awardees and their public order

May import pipeline.render and pipeline.core.
"""
