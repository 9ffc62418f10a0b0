"""POST /api/<command> answers exactly the CLI's JSON, and bad input the CLI's message with 400."""

from __future__ import annotations

import json
import tempfile
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from calcgrad.cli import main
from calcgrad.web import app as web_app
from calcgrad.web.app import create_app

from .conftest import TestClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def cli_json(*args: str) -> dict:
    """What `calcgrad <args> --format json` prints, as a dict."""
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


SAME_AS_CLI = [
    pytest.param("diff", {"expression": "x^2 + 3xy", "wrt": ["x"], "order": 1, "at": "x=3,y=1"},
                 ["diff", "x^2 + 3xy", "--wrt", "x", "--order", "1", "--at", "x=3,y=1"], id="diff"),
    pytest.param("diff", {"expression": "sin x^2", "order": 2, "at": 0},
                 ["diff", "sin x^2", "--order", "2", "--at", "0"], id="diff-order-2"),
    pytest.param("diff", {"expression": "loss^2", "var": "loss"},
                 ["diff", "loss^2", "--var", "loss"], id="diff-declared-name"),
    pytest.param("grad", {"expression": "x^2 y + sin(x y)", "at": "x=1,y=2", "show_steps": True},
                 ["grad", "x^2 y + sin(x y)", "--at", "x=1,y=2", "--show-steps"], id="grad"),
    pytest.param("grad", {"expression": "x^2 + y^2", "at": "x=1,y=2", "direction": "1,1"},
                 ["grad", "x^2 + y^2", "--at", "x=1,y=2", "--direction", "1,1"], id="grad-direction"),
    pytest.param("jacobian", {"functions": ["x^2 y", "5x + sin y"], "wrt": "x,y"},
                 ["jacobian", "x^2 y", "5x + sin y", "--wrt", "x,y"], id="jacobian"),
    pytest.param("hessian", {"expression": "x^3 - 3x + y^2", "at": "x=1,y=0"},
                 ["hessian", "x^3 - 3x + y^2", "--at", "x=1,y=0"], id="hessian"),
    pytest.param("descend", {"expression": "x^2 + 3y^2", "start": "x=1,y=2", "lr": 0.1, "iterations": 20},
                 ["descend", "x^2 + 3y^2", "--start", "x=1,y=2", "--lr", "0.1", "--iterations", "20"],
                 id="descend"),
    pytest.param("check", {"answer": "-sin(3x)", "of": "cos(3x)"},
                 ["check", "-sin(3x)", "--of", "cos(3x)"], id="check-incorrect"),
    pytest.param("check", {"answer": "[2x y, x^2]", "of": "x^2 y", "grad": True},
                 ["check", "[2x y, x^2]", "--of", "x^2 y", "--grad"], id="check-gradient"),
    pytest.param("check", {"solution": (EXAMPLES / "solution.txt").read_text(), "of": "x^2 sin x", "wrt": "x"},
                 ["check", "--solution", str(EXAMPLES / "solution.txt"), "--of", "x^2 sin x", "--wrt", "x"],
                 id="check-worked-solution"),
    pytest.param("network", {"layers": 2, "activation": "relu,sigmoid", "loss": "bce"},
                 ["network", "--layers", "2", "--activation", "relu,sigmoid", "--loss", "bce"],
                 id="network-chain"),
    pytest.param("network", {"widths": "2,3,1", "activation": "tanh", "param": "W1[3,1]"},
                 ["network", "--widths", "2,3,1", "--activation", "tanh", "--param", "W1[3,1]"],
                 id="network-matrix-form"),
    pytest.param("first-principles", {"expression": "1/x", "at": 2},
                 ["first-principles", "1/x", "--at", "2"], id="first-principles"),
    pytest.param("practice", {"rules": "power", "count": 3, "seed": 1, "no_answers": True},
                 ["practice", "--rules", "power", "--count", "3", "--seed", "1", "--no-answers"],
                 id="practice-sheet"),
    pytest.param("practice", {"rules": "power", "count": 3, "seed": 1},
                 ["practice", "--rules", "power", "--count", "3", "--seed", "1"], id="practice"),
]


@pytest.mark.parametrize(("command", "body", "argv"), SAME_AS_CLI)
def test_answers_the_cli_json(client: TestClient, command: str, body: dict, argv: list[str]) -> None:
    """The API's JSON for a request is the CLI's JSON for the same options."""
    response = client.post(f"/api/{command}", json=body)
    assert 200 == response.status_code, response.text
    assert "application/json" == response.headers["content-type"]
    assert cli_json(*argv) == response.json()


def test_network_spec_object_answers_the_walkthrough_of_the_file(client: TestClient) -> None:
    """A spec sent as a JSON object gives the walkthrough `calcgrad network FILE` prints."""
    spec_path = EXAMPLES / "network_2_3_1.json"
    body = {"spec": json.loads(spec_path.read_text()), "epochs": 2}
    response = client.post("/api/network", json=body)
    assert 200 == response.status_code, response.text
    assert cli_json("network", str(spec_path), "--epochs", "2") == response.json()


def test_grade_texts_answer_the_report_of_the_files(client: TestClient) -> None:
    """The CSV and the key sent as text give the report `calcgrad grade` prints for the files."""
    submissions, key = EXAMPLES / "submissions.csv", EXAMPLES / "key.toml"
    body = {"submissions": submissions.read_text(), "key": key.read_text(), "keep": "best"}
    response = client.post("/api/grade", json=body)
    assert 200 == response.status_code, response.text
    assert cli_json("grade", str(submissions), "--key", str(key), "--keep", "best") == response.json()


def test_parse_error_answers_400_with_the_cli_message_and_caret(client: TestClient) -> None:
    """Unreadable input: 400, the CLI's message, the column, the caret line and the hint."""
    response = client.post("/api/diff", json={"expression": "x^2 +* sin x"})
    cli = CliRunner().invoke(main, ["diff", "x^2 +* sin x"])
    assert 400 == response.status_code
    answer = response.json()
    assert f"calcgrad: {answer['error']}" == cli.stderr.splitlines()[0]
    assert 6 == answer["column"]
    assert "x^2 +* sin x\n     ^" == answer["caret"]
    assert f"hint: {answer['hint']}" == cli.stderr.splitlines()[-1]


@pytest.mark.parametrize(("command", "body", "message"), [
    pytest.param("diff", {"expression": "x^2 y"},
                 "the expression has several variables (x, y); say which to differentiate with "
                 "respect to (--wrt x)", id="which-variable"),
    pytest.param("diff", {"expression": "x^2", "order": "two"},
                 "Invalid value for '--order': 'two' is not a valid integer range.", id="order-not-a-number"),
    pytest.param("diff", {"expression": "x^2", "order": 0},
                 "Invalid value for '--order': 0 is not in the range x>=1.", id="order-zero"),
    pytest.param("diff", {}, "give the expression", id="no-expression"),
    pytest.param("diff", ["x^2"], "the request body must be a JSON object of the command's options, "
                 'e.g. {"expression": "x^2", "wrt": ["x"]}', id="not-an-object"),
    pytest.param("diff", {"expression": {"a": 1}}, 'expression: expected text, a number or a list of '
                 'them, got {"a": 1}', id="object-value"),
    pytest.param("grad", {"expression": "x^2", "show_steps": "yes"},
                 'show_steps: expected true or false, got "yes"', id="flag-not-boolean"),
    pytest.param("network", {"spec": "examples/network_2_3_1.json"},
                 "spec: expected the spec itself, a JSON object (layers, input, target, weights, …)",
                 id="spec-path-refused"),
    pytest.param("descend", {"expression": "x^2", "start": "1", "lr": 0.1, "plot": "path.png"},
                 "descend: unknown key 'plot'; expected one of expression, iterations, lr, momentum, "
                 "start, tol, var", id="no-output-file"),
    pytest.param("check", {"of": "x^2", "solution_file": "/etc/passwd"},
                 "check: unknown key 'solution_file'; expected one of answer, at, grad, of, order, "
                 "solution, tolerance, var, wrt", id="no-solution-path"),
    pytest.param("grade", {"submissions": "x", "key": "y", "scheduler": "tcp://10.0.0.1:8786"},
                 "grade: unknown key 'scheduler'; expected one of keep, key, roster, submissions",
                 id="no-dask-address-from-the-client"),
    pytest.param("practice", {"per_student": "/etc/passwd"},
                 "practice: unknown key 'per_student'; expected one of count, detail, difficulty, no_answers, "
                 "rules, seed", id="no-roster-path"),
    pytest.param("grade", {"submissions": "student,question,answer\n", "key": "[q1]\nexpression = \"x\"\n",
                           "keep": "most"},
                 "Invalid value for '--keep': 'most' is not one of 'last', 'best', 'first'.", id="grade-keep"),
])
def test_bad_input_answers_400_with_one_message(client: TestClient, command: str, body, message: str) -> None:
    """Bad input answers 400 and {"error": the message}."""
    response = client.post(f"/api/{command}", json=body)
    assert 400 == response.status_code, response.text
    assert message == response.json()["error"]


def test_misspelt_key_answers_400_with_the_keys_it_takes(client: TestClient) -> None:
    """A key that is no option of the command is named, with the keys the command takes."""
    response = client.post("/api/diff", json={"expresion": "x^2"})
    assert 400 == response.status_code
    message = response.json()["error"]
    assert message.startswith("diff: unknown key 'expresion'; expected one of ")
    assert {"at", "expression", "order", "var", "wrt"} <= set(message.split("one of ")[1].split(", "))


def test_body_that_is_not_json_answers_400(client: TestClient) -> None:
    """A body that is not JSON answers 400 and says so."""
    response = client.post("/api/diff", content=b"expression=x^2",
                           headers={"content-type": "application/json"})
    assert 400 == response.status_code
    assert response.json()["error"].startswith("the request body is not JSON: ")


def test_unknown_command_answers_404(client: TestClient) -> None:
    """/api/<not a command> answers 404 with the list of commands."""
    response = client.post("/api/integrate", json={"expression": "x"})
    assert 404 == response.status_code
    assert ("unknown command 'integrate'; expected one of diff, grad, jacobian, hessian, descend, "
            "check, grade, network, first-principles, practice") == response.json()["error"]


def test_body_over_the_limit_answers_413(client: TestClient) -> None:
    """A JSON body over MAX_BODY_BYTES is refused before it is read."""
    body = json.dumps({"expression": "x+" * web_app.MAX_BODY_BYTES})
    response = client.post("/api/diff", content=body, headers={"content-type": "application/json"})
    assert 413 == response.status_code
    assert f"the request is larger than {web_app.MAX_BODY_BYTES:,} bytes" == response.json()["error"]


def test_upload_over_the_limit_answers_413(client: TestClient) -> None:
    """An upload over MAX_UPLOAD_BYTES is refused."""
    big = b"student,question,answer\n" + b"s,q1,x\n" * (web_app.MAX_UPLOAD_BYTES // 7 + 1)
    response = client.post("/grade", files={"submissions": ("s.csv", big), "key": ("k.toml", b"")})
    assert 413 == response.status_code


def test_read_says_how_the_expression_is_read(client: TestClient) -> None:
    """/api/read: the reading, the warnings and the MathML of an expression as it is typed."""
    response = client.post("/api/read", json={"expression": "sin^2 x + 1/2x"})
    assert 200 == response.status_code
    answer = response.json()
    assert True is answer["readable"]
    assert "sin²(x) + x/2" == answer["interpreted_as"]
    assert ["1/2x is read as (1/2)·x; for 1/(2x) write the brackets"] == answer["warnings"]
    assert answer["mathml"].startswith('<math display="inline"')


def test_read_of_a_fault_answers_the_caret(client: TestClient) -> None:
    """/api/read of unreadable text: not readable, with the message and the caret under the
    fault (200: the reading is the answer; the page shows it as the student types)."""
    response = client.post("/api/read", json={"expression": "sin(x"})
    assert 200 == response.status_code
    answer = response.json()
    assert False is answer["readable"]
    assert "sin(x\n   ^" == answer["caret"]
    assert answer["error"].startswith("cannot read the input: ")


def test_read_of_a_request_that_is_not_an_object_answers_400(client: TestClient) -> None:
    """/api/read with a body that is not an object of text answers 400."""
    assert 400 == client.post("/api/read", json=["x"]).status_code
    assert "expression: expected text" == client.post("/api/read", json={"expression": 3}).json()["error"]


def test_api_index_lists_each_commands_keys(client: TestClient) -> None:
    """GET /api documents the commands and the keys each accepts."""
    response = client.get("/api")
    assert 200 == response.status_code
    assert {"at", "expression", "order", "var", "wrt"} <= set(response.json()["commands"]["diff"])
    assert ["keep", "key", "roster", "submissions"] == response.json()["commands"]["grade"]


SLOW_DESCENT = {"expression": "sin(x y) e^(x/10) cos(y^2/10) + (x-z)^2 + (y-w)^2 + z^4 + w^4 "
                               "+ tanh(x z) + atan(y w)",
                "start": "x=1,y=2,z=0.5,w=0.3", "lr": 0.001, "iterations": 100000, "tol": 0}
"""About 8 s of work (100,000 descent steps in four variables): well past a 2 s budget."""


def test_a_request_over_its_time_limit_answers_400_and_others_go_on() -> None:
    """A request past the time budget is stopped with the CLI's message, and a quick request
    sent while it runs is answered before it, not after it."""
    with TestClient(create_app(seconds=2)) as slow_client, TestClient(create_app(seconds=2)) as quick_client:
        quick_client.post("/api/diff", json={"expression": "x^2"})  # warm up the parser
        answers: dict[str, object] = {}
        finished: dict[str, float] = {}

        def slow() -> None:
            answers["slow"] = slow_client.post("/api/descend", json=SLOW_DESCENT)
            finished["slow"] = time.monotonic()

        worker = threading.Thread(target=slow)
        worker.start()
        time.sleep(0.3)
        quick = quick_client.post("/api/diff", json={"expression": "x^3"})
        finished["quick"] = time.monotonic()
        worker.join(30)
    assert 200 == quick.status_code
    assert finished["quick"] < finished["slow"]
    assert 400 == answers["slow"].status_code
    assert ("this request took longer than its time limit of 2 s and was stopped; try a smaller "
            "input or a larger --timeout") == answers["slow"].json()["error"]


def test_a_spec_upload_leaves_no_file_behind(client: TestClient) -> None:
    """The uploaded spec's temporary folder is removed once the spec is read."""
    before = set(Path(tempfile.gettempdir()).glob("calcgrad-upload-*"))
    spec = (EXAMPLES / "network_2_3_1.json").read_bytes()
    response = client.post("/network", files={"spec": ("net.json", spec)}, data={"epochs": "1"})
    assert 200 == response.status_code
    assert "Walkthrough of net.json" in response.text
    assert before == set(Path(tempfile.gettempdir()).glob("calcgrad-upload-*"))
