"""The pages, server-rendered: each shows its result with MathML, and user text is escaped
everywhere it appears (expressions, CSV cells, spec field names, file names)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import TestClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"onmouseover=alert(1) x="'


class Elements(HTMLParser):
    """Every element of a page, with its attributes, as the browser's parser sees them."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def assert_nothing_runs(html: str) -> None:
    """The page's only script is calcgrad's own file, and no element has an event handler."""
    elements = Elements(html).elements
    scripts = [attrs for tag, attrs in elements if tag == "script"]
    assert [{"src": "/static/app.js", "defer": None}] == scripts
    handlers = [(tag, name) for tag, attrs in elements for name in attrs if name.startswith("on")]
    assert [] == handlers


@pytest.mark.parametrize(("path", "shown"), [
    pytest.param("/?expression=x%5E2+sin+x&at=1", ["Product rule", "Power rule", "x*(x*cos(x) + 2*sin(x))",
                                                   "Copy LaTeX", "the function and its tangent line"], id="derivative"),
    pytest.param("/gradient?expression=x%5E2y&at=x%3D1,y%3D2", ["∂f/∂x", "∂f/∂y", "At the point"], id="gradient"),
    pytest.param("/gradient?kind=hessian&expression=x%5E3-3x%2By%5E2&at=x%3D1,y%3D0",
                 ["minimum", "positive definite"], id="hessian"),
    pytest.param("/gradient?kind=jacobian&expression=x%5E2y;5x%2Bsin+y&entry=1,2",
                 ["Entry 1,2", "Interpreted as <span class=\"reading-text\">x²y; 5x + sin(y)</span>"], id="jacobian"),
    pytest.param("/descent?expression=x%5E2%2B3y%5E2&start=x%3D1,y%3D2&lr=0.1", ["Trace", "‖∇f‖"], id="descent"),
    pytest.param("/network?layers=2", ["Forward definitions", "The chain for each parameter"], id="network"),
    pytest.param("/check?of=cos(3x)&answer=-sin(3x)", ["Incorrect", "missing_chain_factor"], id="check"),
])
def test_page_shows_the_result_in_mathml(client: TestClient, path: str, shown: list[str]) -> None:
    """Each page, given its fields in the URL, shows the result with MathML."""
    response = client.get(path)
    assert 200 == response.status_code
    assert "<math" in response.text
    for text in shown:
        assert text in response.text
    assert_nothing_runs(response.text)


def test_check_page_marks_each_line_of_a_worked_solution(client: TestClient) -> None:
    """A worked solution typed on the check page is marked line by line, as the JSON marks it."""
    from urllib.parse import urlencode

    solution = (EXAMPLES / "solution.txt").read_text()
    page = client.get("/check?" + urlencode({"of": "x^2 sin x", "solution": solution})).text
    data = client.post("/api/check", json={"of": "x^2 sin x", "solution": solution}).json()
    marks = [attrs["class"] for tag, attrs in Elements(page).elements
             if tag == "li" and attrs.get("class") in {line["status"] for line in data["lines"]}]
    assert [line["status"] for line in data["lines"]] == marks
    assert "wrong" == marks[1]
    assert "Step 1.2, trigonometric rule on sin(x): the sign is wrong" in page


def test_derivative_picture_is_an_image_not_inline_svg(client: TestClient) -> None:
    """The tangent picture is an <img> of SVG data, so nothing inside it can run."""
    page = client.get("/?expression=x%5E3&at=1").text
    images = [attrs for tag, attrs in Elements(page).elements if tag == "img"]
    assert 1 == len(images)
    assert images[0]["src"].startswith("data:image/svg+xml;base64,")
    assert "<svg" not in page


def test_two_variables_draw_the_gradient_field(client: TestClient) -> None:
    """A function of two variables gets the gradient-field picture."""
    page = client.get("/?expression=x%5E2y&wrt=x").text
    images = [attrs for tag, attrs in Elements(page).elements if tag == "img"]
    assert "contours of the function with its gradient field" == images[0]["alt"]


def test_empty_forms_show_no_result(client: TestClient) -> None:
    """Every page without its fields shows the form alone."""
    for path in ("/", "/gradient", "/descent", "/network", "/check", "/grade"):
        response = client.get(path)
        assert 200 == response.status_code
        assert 'class="result"' not in response.text
        assert 'class="error"' not in response.text


def test_page_error_shows_message_caret_and_hint(client: TestClient) -> None:
    """An unreadable expression shows the CLI's message, the caret line and the hint."""
    page = client.get("/?expression=x%5E2+%2B*+sin+x").text
    assert "cannot read the input: two operators in a row: &#39;+&#39; and &#39;*&#39; (column 6)" in page
    assert '<pre class="caret">x^2 +* sin x\n     ^</pre>' in page
    assert "Hint: x**2 and x^2 both mean x squared" in page


def test_pages_send_a_strict_content_security_policy(client: TestClient) -> None:
    """Only calcgrad's own scripts and styles may run, even if an escape were missed."""
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy


@pytest.mark.parametrize("text", [SCRIPT, ATTRIBUTE, f"x + {SCRIPT}", f"sin {ATTRIBUTE}"])
@pytest.mark.parametrize("page", ["/?expression=", "/gradient?expression=", "/descent?start=1&lr=0.1&expression=",
                                  "/check?of=x&answer=", "/check?answer=x&of=", "/network?layers=2&activation="])
def test_expressions_are_escaped(client: TestClient, page: str, text: str) -> None:
    """Script tags and attribute breakers in any field come back as text, never as markup."""
    from urllib.parse import quote

    html = client.get(page + quote(text)).text
    assert_nothing_runs(html)
    assert SCRIPT not in html


def test_read_api_keeps_hostile_text_as_data(client: TestClient) -> None:
    """/api/read answers JSON (the page sets it with textContent): no MathML for unreadable text."""
    response = client.post("/api/read", json={"expression": SCRIPT})
    assert False is response.json()["readable"]
    assert "mathml" not in response.json()


def test_csv_cells_and_file_names_are_escaped_in_the_report(client: TestClient) -> None:
    """Student ids, answers, question names and file names from an upload are shown as text."""
    csv = ("student,question,answer\n"
           f"\"{SCRIPT}\",q1,\"{ATTRIBUTE}\"\n"
           f"bo,\"{SCRIPT}\",2x\n"
           f"cy,q1,\"2x sin x + x^2 cos x {SCRIPT}\"\n")
    key = (EXAMPLES / "key.toml").read_bytes()
    response = client.post("/grade", files={"submissions": (f"{SCRIPT}.csv", csv.encode()),
                                            "key": (f"{ATTRIBUTE}.toml", key)})
    assert 200 == response.status_code
    assert "Per question" in response.text
    assert_nothing_runs(response.text)
    assert SCRIPT not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_spec_field_names_and_file_names_are_escaped(client: TestClient) -> None:
    """A spec with a hostile field name, uploaded under a hostile file name, is reported as text."""
    spec = json.loads((EXAMPLES / "network_2_3_1.json").read_text())
    spec[SCRIPT] = 1
    response = client.post("/network", files={"spec": (f"{ATTRIBUTE}{SCRIPT}.json", json.dumps(spec).encode())})
    assert 200 == response.status_code
    assert "spec: unknown field &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;" in response.text
    assert_nothing_runs(response.text)
    assert SCRIPT not in response.text


def test_uploaded_spec_is_walked_through_with_its_picture(client: TestClient) -> None:
    """A spec upload shows the walkthrough and the network picture; the file name is only shown."""
    spec = (EXAMPLES / "network_2_3_1.json").read_bytes()
    response = client.post("/network", files={"spec": ("../../etc/passwd.json", spec)}, data={"epochs": "2"})
    assert 200 == response.status_code
    assert "Walkthrough of ../../etc/passwd.json" in response.text
    assert "the network with its values and gradients" in response.text


def test_grade_offers_the_report_and_gradebook_downloads(client: TestClient) -> None:
    """The grading page links the report (CSV, JSON) and the gradebook as downloads."""
    files = {"submissions": ("s.csv", (EXAMPLES / "submissions.csv").read_bytes()),
             "key": ("k.toml", (EXAMPLES / "key.toml").read_bytes())}
    page = client.post("/grade", files=files, data={"keep": "best"}).text
    links = {attrs["download"]: attrs["href"] for tag, attrs in Elements(page).elements
             if tag == "a" and "download" in attrs}
    assert ["gradebook.csv", "report.csv", "report.json"] == sorted(links)
    assert links["report.csv"].startswith("data:text/csv;charset=utf-8,line%2Cstudent%2Cquestion")
    assert links["gradebook.csv"].startswith("data:text/csv;charset=utf-8,student")


def test_grade_without_both_files_says_which(client: TestClient) -> None:
    """Grading with one file missing says that both are needed."""
    page = client.post("/grade", files={"submissions": ("s.csv", b"student,question,answer\n")}).text
    assert "choose both files: the answers (CSV) and the key (TOML)" in page


def test_static_files_are_served_by_calcgrad(client: TestClient) -> None:
    """The page's CSS and JavaScript come from the package (no CDN)."""
    assert 200 == client.get("/static/app.js").status_code
    assert 200 == client.get("/static/style.css").status_code
    page = client.get("/").text
    assert "http://" not in page and "https://" not in page


def test_derivative_page_shows_the_detail_level_chosen(client: TestClient) -> None:
    """full shows the variable rule as its own step; normal writes it on its parent's line
    ("with …"); brief leaves the linear step out; every shown step carries its ✓."""
    pages = {level: client.get(f"/?expression=3x%5E2%2B5x&detail={level}").text
             for level in ("full", "normal", "brief")}
    assert "Variable rule" in pages["full"] and 'class="folded"' not in pages["full"]
    assert "Variable rule" not in pages["normal"] and 'class="folded"' in pages["normal"]
    assert pages["brief"].count('class="rule"') < pages["normal"].count('class="rule"')
    assert all('class="verified ok"' in page for page in pages.values())
    assert '<option value="brief" title="steps linear in the variable left out" selected>' in pages["brief"]


def test_an_unknown_detail_level_is_reported_not_raised(client: TestClient) -> None:
    page = client.get("/?expression=x%5E2&detail=short")
    assert 200 == page.status_code
    assert "brief" in page.text and "Result:" not in page.text
