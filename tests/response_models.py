"""Which model parses each operation's 2xx JSON answer: the generated one (by the schema the contract
names) and the official SDK's own (the one the SDK validates that answer with, per SDK 1.113.1)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

import codegen.models

SCHEMA_PREFIX = "#/components/schemas/"


def generated_adapter(schema: dict[str, Any]) -> TypeAdapter[Any] | None:
    """A TypeAdapter of the generated model for a response schema, or None for inline scalars."""
    if "$ref" in schema:
        return TypeAdapter(getattr(codegen.models, schema["$ref"].removeprefix(SCHEMA_PREFIX)))
    items = schema.get("items", {})
    if schema.get("type") == "array" and "$ref" in items:
        model = getattr(codegen.models, items["$ref"].removeprefix(SCHEMA_PREFIX))
        return TypeAdapter(list[model])
    return None


# operationId -> how the SDK reads the answer: a ValidationInterface model name, "list[Name]" for
# a list of them, or None where the SDK returns the raw JSON (or has no method for it).
SDK_RESPONSE_MODEL: dict[str, str | None] = {
    "createUser": "UserRead",
    "getUser": "UserRead",
    "updateUser": "UserRead",
    "deleteUser": "UserDeleteResponse",
    "listUserAssistants": "list[AssistantRead]",
    "associateAssistantWithUser": None,
    "disassociateAssistantFromUser": None,
    "createApiKey": "ApiKeyCreateResponse",
    "listApiKeys": "ApiKeyListResponse",
    "getApiKey": "ApiKeyDetails",
    "revokeApiKey": None,
    "createApiKeyForUser": "ApiKeyCreateResponse",
    "provisionUser": None,
    "validateApiKey": None,
    "createAssistant": "AssistantRead",
    "listAssistants": "list[AssistantRead]",
    "getAssistant": "AssistantRead",
    "updateAssistant": "AssistantRead",
    "deleteAssistant": None,
    "createThread": "ThreadRead",
    "getThread": "ThreadRead",
    "updateThread": "ThreadReadDetailed",
    "updateThreadMetadata": "ThreadRead",
    "deleteThread": "ThreadDeleted",
    "listThreadIdsByUser": None,
    "listThreadsByUser": "list[ThreadRead]",
    "createMessage": "MessageRead",
    "submitToolOutput": None,
    "saveAssistantMessage": "MessageRead",
    "getMessage": "MessageRead",
    "updateMessage": "MessageRead",
    "deleteMessage": "MessageDeleted",
    "listMessages": "MessagesList",
    "getFormattedMessages": None,
    "createRun": "Run",
    "getRun": "RunReadDetailed",
    "cancelRun": "Run",
    "updateRunStatus": "Run",
    "updateRunFields": "Run",
    "updateRunMetadata": None,
    "listRunsByThread": "RunListResponse",
    "listRuns": "RunListResponse",
    "deleteRun": None,
    "streamRunEvents": None,
    "createAction": "ActionRead",
    "getAction": "ActionRead",
    "updateAction": "ActionRead",
    "deleteAction": None,
    "listPendingActions": None,
    "listActionsByStatus": None,
    "createCompletion": None,
    "getRoot": None,  # the SDK has no method for it
    # The SDK's tools.* return the `content` or `message` string; computer.create_session the dict.
    "webRead": None,
    "webScroll": None,
    "webSearch": None,
    "webSerp": None,
    "scratchpadRead": None,
    "scratchpadUpdate": None,
    "scratchpadAppend": None,
    "authorizeSandbox": None,
    "getComputerSession": None,
    "createVectorStore": "VectorStoreRead",
    "listVectorStores": "list[VectorStoreRead]",
    "listVectorStoresByUser": "list[VectorStoreRead]",
    "getVectorStoreByCollection": None,  # the SDK has no method for it
    "getVectorStore": "VectorStoreRead",
    "deleteVectorStore": None,
    "addVectorStoreFile": None,  # the SDK 1.113.1 records files through addVectorStoreVectors
    "listVectorStoreFiles": "list[VectorStoreFileRead]",
    "deleteVectorStoreFile": None,
    "updateVectorStoreFileStatus": "VectorStoreFileRead",
    "addVectorStoreVectors": None,  # it validates the answer's `file` alone (tests/sdk/test_sdk_vector_stores.py)
    "searchVectorStore": None,  # raw hits
    "uploadFile": "FileResponse",
    "getFile": "FileResponse",
    "deleteFile": None,  # the SDK reads `deleted` from the raw JSON
    "softDeleteFile": None,
    "getFileSignedUrl": None,  # the SDK reads `signed_url` from the raw JSON
    "getFileAsBase64": None,  # the SDK reads `base64` from the raw JSON
    "downloadFile": None,  # the SDK has no method for it: a client follows the signed URL
}


def sdk_adapter(name: str) -> TypeAdapter[Any]:
    from projectdavid_common import ValidationInterface

    if name.startswith("list[") and name.endswith("]"):
        return TypeAdapter(list[getattr(ValidationInterface, name[5:-1])])
    return TypeAdapter(getattr(ValidationInterface, name))
