"""The app's screens and which role sees which: plain data, so that tests can walk them too."""

from __future__ import annotations

from services.core.access import Role

SCREENS = {  # url path: (file, title, icon)
    "tong-hop": ("pages/tong_hop.py", "Tổng hợp", ":material/bar_chart:"),
    "dang-ky": ("pages/dang_ky.py", "Đăng ký", ":material/edit_note:"),
    "don-vi": ("pages/don_vi.py", "Đơn vị", ":material/account_tree:"),
    "thay-doi-don-vi": ("pages/thay_doi_don_vi.py", "Thay đổi đơn vị", ":material/merge_type:"),
    "nhap-danh-sach": ("pages/nhap_danh_sach.py", "Nhập danh sách", ":material/playlist_add:"),
    "bao-cao": ("pages/bao_cao.py", "Báo cáo lên tỉnh", ":material/upload_file:"),
    "chu-ky": ("pages/chu_ky.py", "Đợt đăng ký", ":material/event:"),
    "nguoi-dung": ("pages/nguoi_dung.py", "Người dùng", ":material/group:"),
    "nhat-ky": ("pages/nhat_ky.py", "Nhật ký", ":material/history:"),
    "danh-gia": ("pages/danh_gia.py", "Đánh giá", ":material/fact_check:"),
    "quyet-dinh": ("pages/quyet_dinh.py", "Quyết định công nhận", ":material/verified:"),
    "ket-qua": ("pages/ket_qua.py", "Kết quả công nhận", ":material/insights:"),
    "tuyen-duong": ("pages/tuyen_duong.py", "Tuyên dương", ":material/military_tech:"),
    "du-lieu": ("pages/du_lieu.py", "Dữ liệu", ":material/health_and_safety:"),
    "chuyen-du-lieu": ("pages/chuyen_du_lieu.py", "Xuất / nhập dữ liệu", ":material/swap_horiz:"),
}
BY_ROLE = {  # screens shown to each role, most used first (services enforce the rules anyway)
    Role.PROVINCE: [
        "tong-hop",
        "dang-ky",
        "danh-gia",
        "quyet-dinh",
        "ket-qua",
        "tuyen-duong",
        "don-vi",
        "thay-doi-don-vi",
        "nhap-danh-sach",
        "bao-cao",
        "chu-ky",
        "nguoi-dung",
        "du-lieu",
        "chuyen-du-lieu",
        "nhat-ky",
    ],
    Role.UPPER: [
        "tong-hop",
        "dang-ky",
        "danh-gia",
        "quyet-dinh",
        "ket-qua",
        "don-vi",
        "thay-doi-don-vi",
        "nhap-danh-sach",
        "bao-cao",
        "nhat-ky",
    ],
    Role.SECRETARY: ["dang-ky", "danh-gia", "tong-hop", "ket-qua", "don-vi"],
    Role.VIEWER: ["tong-hop", "ket-qua", "don-vi"],
}
