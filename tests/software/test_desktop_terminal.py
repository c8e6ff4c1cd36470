from neuralcomputer.software.desktop import folders
from neuralcomputer.software.desktop.palette import GREEN, RED


def run(user, command: str):
    user.type(command)
    user.press("Enter")


def lines(user) -> list[str]:
    return user.desktop.state()["apps"]["terminal"]["lines"]


def screen(user) -> list[str]:
    user.away()
    return user.visible_text()


def test_calc_echo_and_help(user):
    user.open("terminal")
    run(user, "calc (2+3)*4")
    assert lines(user)[-2:] == ["/home$ calc (2+3)*4", "20"]
    assert "20" in screen(user)
    run(user, "calc 7/0")
    run(user, "calc 2+")
    run(user, "echo  hi there ")
    run(user, "help")
    assert lines(user)[-7:] == [
        "calc: division by zero",
        "/home$ calc 2+",
        "calc: syntax error",
        "/home$ echo  hi there ",
        "hi there",
        "/home$ help",
        "commands: help echo ls cd cat calc clear",
    ]


def test_ls_cd_cat_and_errors(user):
    user.open("terminal")
    run(user, "ls")
    assert lines(user)[-1] == "docs/  notes/  readme.txt"
    run(user, "cd docs")
    run(user, "ls")
    assert lines(user)[-2:] == ["/home/docs$ ls", "plan.txt  todo.txt"]
    run(user, "cat plan.txt")
    assert lines(user)[-3:] == folders.lookup("/home/docs/plan.txt").split("\n")
    run(user, "cd ../notes")
    run(user, "cat hello.txt")
    assert lines(user)[-1] == "Hello, world!"
    assert user.desktop.state()["apps"]["terminal"]["cwd"] == "/home/notes"
    for command, error in [
        ("cd nowhere", "cd: nowhere: no such folder"),
        ("cat nothing.txt", "cat: nothing.txt: no such file"),
        ("cat /home", "cat: /home: is a folder"),
        ("frobnicate now", "frobnicate: command not found"),
    ]:
        run(user, command)
        assert lines(user)[-1] == error
    user.away()
    assert any(r["text"].startswith("frobnicate: ") and r["color"] == RED for r in user.desktop.text_regions())
    run(user, "cd")
    assert user.desktop.state()["apps"]["terminal"]["cwd"] == "/home"


def test_long_lines_wrap_and_the_screen_scrolls(user):
    user.open("terminal")
    run(user, "echo " + "x" * 40)
    shown = screen(user)
    cols = max(len(t) for t in shown)
    assert "x" * cols in shown and "x" * (40 % cols) in shown
    for i in range(30):
        run(user, f"echo line{i}")
    shown = screen(user)
    assert "line29" in shown and "/home$ " in shown[-1]
    assert "line0" not in shown and "Type help" not in shown
    assert all(r["color"] == GREEN for r in user.desktop.text_regions())


def test_clear_backspace_and_escape(user):
    user.open("terminal")
    run(user, "echo one")
    run(user, "clear")
    assert lines(user) == []
    user.type("echo twx")
    user.press("Backspace")
    user.type("o")
    user.press("Enter")
    assert lines(user) == ["/home$ echo two", "two"]
    user.type("garbage")
    user.press("Escape")
    assert user.desktop.state()["apps"]["terminal"]["input"] == ""
    assert screen(user) == ["/home$ echo two", "two", "/home$ "]
