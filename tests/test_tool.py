"""assistant.tool: a tool answers or declines with a reason; its answer says how it was made."""

from __future__ import annotations

from assistant.answer import Answer
from assistant.metadata import DocumentFieldTool
from assistant.table_tool import TableTool
from assistant.task_tool import TaskTool
from assistant.tool import NotMine, Tool, settled


def test_the_mode_of_a_tool_answer_is_its_route_or_refused():
    answered = settled(Answer("q", "10件[1]", "table"), "table")
    refused = settled(Answer("q", "资料库中没有…", "table", refused=True), "table")
    assert isinstance(answered, Answer) and answered.mode == "table"
    assert isinstance(refused, Answer) and refused.mode == "refused"
    assert settled(NotMine("asks for no figure"), "table") == NotMine("asks for no figure")


def test_every_structured_answerer_is_a_tool_named_by_its_route():
    tools: list[Tool] = [TableTool(), TaskTool(), DocumentFieldTool()]
    assert [t.name for t in tools] == ["table", "tasks", "document"]
