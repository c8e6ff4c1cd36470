from neuralcomputer.software.desktop import folders


def files(user) -> dict:
    return user.desktop.state()["apps"]["files"]


def test_browse_folders_and_go_up(user):
    user.open("files")
    assert user.desktop.files_entries() == ["..", "docs/", "notes/", "readme.txt"]
    user.away()
    assert user.visible_text() == ["/home", "..", "docs/", "notes/", "readme.txt"]
    user.click(user.desktop.files_entry("docs/"))
    assert files(user)["cwd"] == "/home" and files(user)["selected"] == "docs/"
    user.double_click(user.desktop.files_entry("docs/"))
    assert files(user)["cwd"] == "/home/docs"
    assert user.desktop.files_entries() == ["..", "plan.txt", "todo.txt"]
    user.double_click(user.desktop.files_entry(".."))
    user.double_click(user.desktop.files_entry(".."))
    assert files(user)["cwd"] == "/" and user.desktop.files_entries() == ["home/"]
    assert user.desktop.files_entry("..") is None


def test_double_click_a_text_file_opens_it_in_notepad(user):
    user.open("files")
    user.double_click(user.desktop.files_entry("notes/"))
    user.double_click(user.desktop.files_entry("ideas.txt"))
    state = user.desktop.state()
    assert state["focus"] == "notepad"
    assert [(w["app"], w["title"]) for w in state["windows"]] == [("files", "Files"), ("notepad", "ideas.txt")]
    assert state["apps"]["notepad"]["text"] == folders.lookup("/home/notes/ideas.txt")
    user.away()
    assert user.visible_text()[-3:] == folders.lookup("/home/notes/ideas.txt").split("\n")


def test_slow_clicks_are_not_a_double_click(user):
    user.open("files")
    point = user.desktop.files_entry("docs/")
    user.click(point)
    for _ in range(8):
        user.step()
    user.click(point)  # 10 steps after the first "down"
    assert files(user)["cwd"] == "/home"
    user.click((point[0] + 4, point[1]))  # close in time, but 4 pixels away
    assert files(user)["cwd"] == "/home"
    user.click((point[0] + 4, point[1] + 3))
    assert files(user)["cwd"] == "/home/docs"
