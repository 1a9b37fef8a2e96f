#!/usr/bin/env python3
"""The OpenAI SDK walk: the official `openai` Python package, pointed at the platform, talks to an agent.

Environment:
  PLATFORM_BASE_URL  the platform's /v1 URL, such as http://127.0.0.1:8080/v1
  (stdin)            a platform API token on the first line of standard input (never printed);
                     PLATFORM_TOKEN is read instead when set
  AGENT_MODEL        agent:<agent id>, an agent with a linked chat connection
  CONVERSATION_ID    a conversation id of that agent, for the metadata.conversation_id step

Prints one progress line per step (nothing secret) and exits 0 when every step passed; on the first
failure it prints "FAIL: <step>: <reason>" to stderr and exits 1 (2 for a usage error).
"""

import os
import sys

STEP = "setup"


def fail(reason):
    print(f"FAIL: {STEP}: {reason}", file=sys.stderr, flush=True)
    sys.exit(1)


def check(condition, reason):
    if not condition:
        fail(reason)


def step(name):
    global STEP
    STEP = name
    print(f"step: {name}", flush=True)


def passed(detail=""):
    print(f"ok: {STEP}{': ' + detail if detail else ''}", flush=True)


def environment(name):
    value = os.environ.get(name, "")
    if not value:
        print(f"usage error: the environment variable {name} is not set", file=sys.stderr, flush=True)
        sys.exit(2)
    return value


def check_usage(usage, what):
    check(usage is not None, f"{what} has no usage")
    check(isinstance(usage.prompt_tokens, int) and usage.prompt_tokens > 0, f"{what}: prompt_tokens is {usage.prompt_tokens!r}")
    check(
        isinstance(usage.completion_tokens, int) and usage.completion_tokens > 0,
        f"{what}: completion_tokens is {usage.completion_tokens!r}",
    )
    check(
        usage.total_tokens == usage.prompt_tokens + usage.completion_tokens,
        f"{what}: total_tokens {usage.total_tokens} is not prompt_tokens + completion_tokens",
    )


def collect_stream(stream, what):
    """Reads a streamed completion; returns (text, finish reasons, usage chunks, chunk count)."""
    text = []
    finish_reasons = []
    usage_chunks = []
    count = 0
    for chunk in stream:
        count += 1
        check(chunk.object == "chat.completion.chunk", f"{what}: a chunk's object is {chunk.object!r}")
        if chunk.usage is not None:
            check(chunk.choices == [], f"{what}: the usage chunk also has choices")
            usage_chunks.append(chunk.usage)
        for choice in chunk.choices:
            if choice.delta is not None and choice.delta.content:
                text.append(choice.delta.content)
            if choice.finish_reason is not None:
                finish_reasons.append(choice.finish_reason)
    return "".join(text), finish_reasons, usage_chunks, count


def stored_messages(base_url, token, model, conversation_id, count=2):
    """The conversation's `count` latest messages, newest first, read with the platform's own API."""
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    agent_id = model.removeprefix("agent:")
    url = (
        f"{base_url.rstrip('/')}/agents/{urllib.parse.quote(agent_id, safe='')}"
        f"/conversations/{urllib.parse.quote(conversation_id, safe='')}/messages?order=desc&limit={count}"
    )
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response).get("data", [])
    except urllib.error.HTTPError as error:
        fail(f"listing the conversation's messages answered {error.code}")
    except (urllib.error.URLError, ValueError) as error:
        fail(f"listing the conversation's messages failed: {type(error).__name__}")


def main():
    global STEP
    base_url = environment("PLATFORM_BASE_URL")
    # The token comes on standard input, so that it is in no process's environment.
    token = os.environ.get("PLATFORM_TOKEN") or sys.stdin.readline().strip()
    if not token:
        print("usage error: give the platform token on standard input", file=sys.stderr, flush=True)
        sys.exit(2)
    model = environment("AGENT_MODEL")
    conversation_id = environment("CONVERSATION_ID")

    step("import openai")
    try:
        import openai
    except ImportError as error:
        fail(f"the openai package is not installed ({error})")
    passed(f"openai {openai.__version__}")

    # No retries: a retried request would hide the status the platform answered with.
    client = openai.OpenAI(base_url=base_url, api_key=token, max_retries=0, timeout=60)
    messages = [{"role": "user", "content": "Say hello to the SDK walk."}]

    try:
        step("list models")
        models = client.models.list()
        ids = [entry.id for entry in models.data]
        check(model in ids, f"{model} is not among the {len(ids)} listed models")
        check(all(entry.object == "model" for entry in models.data), "a listed model's object is not model")
        passed(f"{len(ids)} models, {model} among them")

        step("retrieve a model")
        retrieved = client.models.retrieve(model)
        check(retrieved.id == model and retrieved.object == "model", f"retrieved {retrieved.id!r} ({retrieved.object!r})")
        # The agent's name comes along, beyond OpenAI's members; the SDK keeps what it does not know.
        check(isinstance(getattr(retrieved, "name", None), str) and retrieved.name, f"no agent name on {retrieved!r}")
        try:
            client.models.retrieve("agent:no-such-agent")
            fail("retrieving an unknown model succeeded")
        except openai.NotFoundError as error:
            check(error.code == "model_not_found", f"code {error.code!r}")
        passed(f"{retrieved.id}; an unknown one is NotFoundError, model_not_found")

        step("non-streaming completion")
        completion = client.chat.completions.create(model=model, messages=messages)
        check(completion.object == "chat.completion", f"object is {completion.object!r}")
        check(len(completion.choices) == 1, f"{len(completion.choices)} choices")
        content = completion.choices[0].message.content
        check(isinstance(content, str) and content.strip() != "", "the content is empty")
        check(completion.choices[0].message.role == "assistant", "the role is not assistant")
        check(completion.choices[0].finish_reason is not None, "no finish_reason")
        check_usage(completion.usage, "the completion")
        passed(f"{len(content)} characters, {completion.usage.total_tokens} tokens")

        step("streaming completion with include_usage")
        stream = client.chat.completions.create(
            model=model, messages=messages, stream=True, stream_options={"include_usage": True}
        )
        text, finish_reasons, usage_chunks, count = collect_stream(stream, "the stream")
        check(text.strip() != "", "the streamed deltas hold no text")
        check(len(finish_reasons) == 1, f"{len(finish_reasons)} finish reasons")
        check(len(usage_chunks) == 1, f"{len(usage_chunks)} usage chunks, expected 1")
        check_usage(usage_chunks[0], "the usage chunk")
        passed(f"{count} chunks, {len(text)} characters, {usage_chunks[0].total_tokens} tokens")

        step("streaming completion stored in a conversation")
        stream = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "Remember this exchange."}],
            stream=True,
            metadata={"conversation_id": conversation_id},
        )
        text, finish_reasons, usage_chunks, count = collect_stream(stream, "the stream")
        check(text.strip() != "", "the streamed deltas hold no text")
        check(len(finish_reasons) == 1, f"{len(finish_reasons)} finish reasons")
        check(usage_chunks == [], "a usage chunk came without stream_options.include_usage")
        passed(f"{count} chunks, {len(text)} characters")

        step("the exchange is stored in the conversation")
        stored = stored_messages(base_url, token, model, conversation_id)
        check(len(stored) >= 2, f"the conversation holds {len(stored)} messages")
        reply, prompt = stored[0], stored[1]
        check(prompt.get("role") == "user", f"the message before the reply is a {prompt.get('role')!r} message")
        check(prompt.get("content") == "Remember this exchange.", "the stored user message is not the one sent")
        check(reply.get("role") == "assistant", f"the latest message is a {reply.get('role')!r} message")
        check(reply.get("status") == "complete", f"the stored reply's status is {reply.get('status')!r}")
        check(reply.get("content") == text, "the stored reply's text is not the streamed text")
        check(reply.get("parent_id") == prompt.get("id"), "the stored reply does not answer the stored message")
        passed(f"reply {reply.get('id')}")

        step("a retry with the request's Idempotency-Key finds the stored exchange")
        keyed = {"Idempotency-Key": f"walk-{reply.get('id')}"}
        answers = [
            client.chat.completions.with_raw_response.create(
                model=model,
                messages=[{"role": "user", "content": "Say this once."}],
                metadata={"conversation_id": conversation_id},
                extra_headers=keyed,
            )
            for _ in range(2)
        ]
        replayed = [answer.headers.get("idempotent-replayed") for answer in answers]
        check(replayed == [None, "true"], f"Idempotent-Replayed headers {replayed}")
        texts = [answer.parse().choices[0].message.content for answer in answers]
        check(texts[0] == texts[1] != "", "the retry's answer is not the first one's")
        stored = stored_messages(base_url, token, model, conversation_id, count=3)
        check(stored[1].get("content") == "Say this once.", "the retried message is not the one before the reply")
        check(stored[0].get("content") == texts[0], "the stored reply is not the answer")
        check(stored[2].get("id") == reply.get("id"), "the retry stored its message again")
        passed("one message and one reply stored; the retry replayed them")

        step("unknown model")
        try:
            client.chat.completions.create(model="agent:no-such-agent", messages=messages)
            fail("the request succeeded")
        except openai.NotFoundError as error:
            check(error.status_code == 404, f"status {error.status_code}")
            check(error.code == "model_not_found", f"code {error.code!r}")
            passed(f"NotFoundError, code {error.code!r}")

        step("stop sequences end the answer; what an agent does not do is refused")
        stopped = client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "alpha beta gamma"}], stop=["gamma"]
        )
        check(stopped.choices[0].message.content == "alpha beta ", "the answer did not end at the stop sequence")
        try:
            client.chat.completions.create(model=model, messages=messages, n=2)
            fail("n=2 was accepted")
        except openai.BadRequestError as error:
            check(error.param == "n", f"param {error.param!r}")
            passed("stopped at the sequence; n=2 is a BadRequestError naming n")

        step("a conversation past the model's context window")
        # The emulator's directive line gives its model a window of five words.
        long = "[emulator context=5]\n" + "word " * 40
        try:
            client.chat.completions.create(model=model, messages=[{"role": "user", "content": long}])
            fail("the request succeeded")
        except openai.BadRequestError as error:
            check(error.code == "context_length_exceeded", f"code {error.code!r}")
            check(error.param == "messages", f"param {error.param!r}")
            passed("BadRequestError, code context_length_exceeded")

        step("bad token")
        stranger = openai.OpenAI(base_url=base_url, api_key="ap_not-a-valid-token", max_retries=0, timeout=60)
        try:
            stranger.chat.completions.create(model=model, messages=messages)
            fail("the request succeeded")
        except openai.AuthenticationError as error:
            check(error.status_code == 401, f"status {error.status_code}")
            check(error.type == "authentication_error", f"type {error.type!r}")
            passed("AuthenticationError")
    except openai.APIStatusError as error:
        # The SDK's message quotes the response body, which holds no secret; the request headers are not shown.
        fail(f"{type(error).__name__}: HTTP {error.status_code}: {error.message}")
    except openai.APIError as error:
        fail(f"{type(error).__name__}: {error.message}")

    STEP = "done"
    print("the OpenAI SDK walk passed", flush=True)


if __name__ == "__main__":
    main()
