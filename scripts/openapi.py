#!/usr/bin/env python3
# Writes Sources/FarmServer/Resources/openapi.json, the API contract served at /api/v1/openapi.json.
# Edit the contract here and run `python3 scripts/openapi.py`; RouteContractTests fails when the document and
# the routes the server registers differ.
import json
def ref(n): return {"$ref": f"#/components/schemas/{n}"}
def problem(status, desc): return {"description": desc, "content": {"application/problem+json": {"schema": ref("Problem")}}}
P = {
 "400": problem(400, "Malformed JSON, a bad parameter or If-Match"),
 "401": problem(401, "Missing or wrong credentials"),
 "403": problem(403, "The credentials lack the permission this route needs"),
 "404": problem(404, "No such resource"),
 "409": problem(409, "Not allowed in the current state, or the id is taken"),
 "412": problem(412, "If-Match names an older version"),
 "413": problem(413, "Body too large (payload-too-large, or upload-too-large over max-upload-bytes)"),
 "415": problem(415, "Body is not JSON"),
 "422": problem(422, "A field is invalid, or the Idempotency-Key was used for another request"),
 "502": problem(502, "The printer refused the command (printer-refused)"),
 "504": problem(504, "The printer accepted the command but did not report doing it in time (printer-did-not-confirm); the run follows when it does"),
}
def errs(*codes): return {c: P[c] for c in codes}
idp = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
ifmatch = {"name": "If-Match", "in": "header", "required": False, "description": "The ETag of the version you read; 412 when stale.", "schema": {"type": "string"}}
idem = {"name": "Idempotency-Key", "in": "header", "required": False, "description": "Retries with the same key and body replay the first response; another body gives 422.", "schema": {"type": "string", "maxLength": 255}}
corr = {"name": "X-Correlation-ID", "in": "header", "required": False, "description": "Recorded as the correlationid of every event the request causes.", "schema": {"type": "string", "maxLength": 100}}
limit = lambda d, m: {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": m, "default": d}}
after = {"name": "after", "in": "query", "description": "Cursor: the `next` of the previous page.", "schema": {"type": "string", "format": "uuid"}}
def status(enum): return {"name": "status", "in": "query", "schema": {"type": "string", "enum": enum}}
etag = {"ETag": {"description": "The resource's version; send it as If-Match.", "schema": {"type": "string"}}}
def ok(schema, desc="OK", code="200", headers=etag): 
    r = {"description": desc, "content": {"application/json": {"schema": schema}}}
    if headers: r["headers"] = headers
    return {code: r}
def page(item): return {"type": "object", "required": ["items", "next"], "properties": {"items": {"type": "array", "items": ref(item)}, "next": {"type": ["string", "null"], "description": "Pass as `after` for the next page; null on the last."}}}
def body(schema): return {"required": True, "content": {"application/json": {"schema": schema}}}
sec = [{"bearer": []}]
def op(opid, summary, tag, responses, params=None, reqbody=None, public=False):
    o = {"operationId": opid, "summary": summary, "tags": [tag], "responses": responses}
    if params: o["parameters"] = params
    if reqbody: o["requestBody"] = reqbody
    if public: o["security"] = []
    else: o["responses"].setdefault("403", P["403"])
    return o
mut = [idem, corr]
intent_status = ["received","preflighted","accepted","needsReview","rejected","inProduction","readyToShip","shipped","closed","cancelled"]
revision_status = ["draft","approved","superseded","reviewRequired"]
run_status = ["scheduled","dispatching","printing","paused","completed","failed","cancelled","interrupted"]
printer_status = ["offline","idle","busy","paused","error","maintenance"]
reason = {"type": "string", "description": "Reason code, dotted lowercase words (default api.request).", "pattern": "^[a-z][a-zA-Z0-9]*(\\.[a-z][a-zA-Z0-9]*)+$"}
note = {"type": "string", "maxLength": 2000}
ts = {"type": "string", "format": "date-time"}
uuid = {"type": "string", "format": "uuid"}
vol = {"type": "object", "required": ["x","y","z"], "properties": {k: {"type": "number"} for k in "xyz"}}
schemas = {
 "Problem": {"type": "object", "description": "RFC 9457 problem details with a stable code.", "required": ["type","status","code","title","detail"], "properties": {"type": {"type": "string"}, "status": {"type": "integer"}, "code": {"type": "string"}, "title": {"type": "string"}, "detail": {"type": "string"}, "instance": {"type": "string"}}},
 "LineItem": {"type": "object", "required": ["id","quantity","material"], "properties": {"id": uuid, "modelArtifact": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1, "maximum": 100000}, "material": {"type": "string"}, "colour": {"type": "string"}, "finish": {"type": "string"}}},
 "Intent": {"type": "object", "required": ["id","source","lineItems","paymentStatus","status","receivedAt","updatedAt"], "properties": {
   "id": uuid, "source": {"type": "string", "enum": ["upload","shopify","woocommerce","etsy","api"]}, "externalReference": {"type": "string"}, "customer": {"type": "string"},
   "lineItems": {"type": "array", "items": ref("LineItem")}, "dueDate": ts, "paymentStatus": {"type": "string", "enum": ["pending","paid","refunded","notRequired"]}, "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
   "constraints": {"type": "array", "items": {"type": "string"}}, "status": {"type": "string", "enum": intent_status}, "preflight": {"type": "string", "enum": ["pass","warn","fail"]},
   "lineItemPreflights": {"type": "array", "items": ref("LineItemPreflight"), "description": "The latest preflight verdict per line item"},
   "quotes": {"type": "array", "description": "The latest quote per line item", "items": {"type": "object", "properties": {"lineItemID": uuid, "at": ts, "quote": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["manual","estimate"]}, "currency": {"type": "string"}, "total": {"type": "string", "description": "Exact decimal"}, "note": {"type": "string"}, "lines": {"type": "array", "items": {"type": "object", "properties": {"item": {"type": "string"}, "basis": {"type": "string"}, "amount": {"type": "string"}}}}}}}}},
   "statusReasons": {"type": "array", "items": {"type": "string"}}, "notes": {"type": "array", "items": {"type": "string"}}, "receivedAt": ts, "updatedAt": ts}},
 "CreateIntent": {"type": "object", "required": ["lineItems"], "properties": {
   "id": {**uuid, "description": "Choose the id yourself to make creation safe to retry; omitted, the server assigns a UUIDv7."},
   "source": {"type": "string", "enum": ["upload","shopify","woocommerce","etsy","api"], "default": "api"}, "externalReference": {"type": "string", "maxLength": 200}, "customer": {"type": "string"},
   "lineItems": {"type": "array", "minItems": 1, "maxItems": 500, "items": {"type": "object", "required": ["quantity","material"], "properties": {"id": uuid, "modelArtifact": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1, "maximum": 100000}, "material": {"type": "string"}, "colour": {"type": "string"}, "finish": {"type": "string"}}}},
   "dueDate": ts, "paymentStatus": {"type": "string", "enum": ["pending","paid","refunded","notRequired"]}, "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217; quotes are in it (default: the farm's pricing currency)"}, "constraints": {"type": "array", "items": {"type": "string"}}, "reason": reason, "note": note}},
 "IntentTransition": {"type": "object", "required": ["action"], "properties": {"action": {"type": "string", "enum": ["accept","requestReview","reject","startProduction","markReadyToShip","ship","close","cancel"]}, "reason": reason, "note": note}},
 "PlanSpec": {"type": "object", "required": ["profile","orientation","supports","requirements","postProcessing"], "properties": {
   "profile": {"type": "string"}, "orientation": {"type": "object", "required": ["x","y","z"], "properties": {k: {"type": "number", "minimum": -360, "maximum": 360} for k in "xyz"}},
   "supports": {"type": "string", "enum": ["none","buildPlateOnly","everywhere"]},
   "requirements": {"type": "object", "required": ["enclosure","hardenedNozzle"], "properties": {"nozzleDiameter": {"type": "number"}, "material": {"type": "string"}, "enclosure": {"type": "boolean"}, "hardenedNozzle": {"type": "boolean"}, "minimumVolume": vol}},
   "postProcessing": {"type": "array", "items": {"type": "string"}}}},
 "PlanRevision": {"type": "object", "required": ["number","spec","status","reasons","createdAt"], "properties": {"number": {"type": "integer"}, "spec": ref("PlanSpec"), "status": {"type": "string", "enum": revision_status}, "reasons": {"type": "array", "items": {"type": "string"}}, "createdAt": ts}},
 "Plan": {"type": "object", "required": ["id","intentID","lineItemID","revisions","createdAt","updatedAt"], "properties": {"id": uuid, "intentID": uuid, "lineItemID": uuid, "revisions": {"type": "array", "items": ref("PlanRevision")}, "createdAt": ts, "updatedAt": ts}},
 "CreatePlan": {"type": "object", "required": ["intentID","lineItemID","spec"], "properties": {"id": uuid, "intentID": uuid, "lineItemID": uuid, "spec": ref("PlanSpec"), "reason": reason, "note": note}},
 "DraftRevision": {"type": "object", "required": ["spec"], "properties": {"spec": ref("PlanSpec"), "reason": reason, "note": note}},
 "Reason": {"type": "object", "properties": {"reason": reason, "note": note}},
 "Capabilities": {"type": "object", "required": ["buildVolume","nozzleDiameters","enclosure","hardenedNozzle","materials"], "properties": {"buildVolume": vol, "nozzleDiameters": {"type": "array", "items": {"type": "number"}}, "enclosure": {"type": "boolean"}, "hardenedNozzle": {"type": "boolean"}, "maxHotendTemperature": {"type": "number"}, "maxBedTemperature": {"type": "number"}, "materials": {"type": "array", "items": {"type": "string"}}}},
 "Printer": {"type": "object", "required": ["id","name","connector","address","capabilities","status","observed","registeredAt","updatedAt"], "properties": {"id": uuid, "name": {"type": "string"}, "connector": {"type": "string", "enum": ["moonraker","octoprint","bambu","virtual"]}, "address": {"type": "string"}, "capabilities": ref("Capabilities"), "status": {"type": "string", "enum": printer_status}, "observed": {"type": "string", "enum": printer_status[:-1]}, "lastMessage": {"type": "string"}, "job": {"type": "object", "required": ["file","external"], "description": "What the machine prints or is paused in. external: not one of the farm's runs (busy (external): nothing is dispatched to it).", "properties": {"file": {"type": "string"}, "external": {"type": "boolean"}}}, "loadedMaterial": {"type": "object", "properties": {"material": {"type": "string"}, "colour": {"type": "string"}}}, "desynced": {"type": "string", "description": "Evidence, when what we believe and what the machine reports disagree."}, "degraded": {"type": "string"}, "registeredAt": ts, "updatedAt": ts}},
 "RegisterPrinter": {"type": "object", "required": ["name","connector","address","capabilities"], "properties": {"id": uuid, "name": {"type": "string", "maxLength": 100}, "connector": {"type": "string", "enum": ["moonraker","octoprint","bambu","virtual"]}, "address": {"type": "string", "description": "For Moonraker: its base URL, e.g. http://192.168.1.20:7125"}, "capabilities": ref("Capabilities"), "apiKey": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The host's API key; kept as a secret, never shown"}, "reason": reason, "note": note}},
 "PlateItem": {"type": "object", "required": ["planID","revision","copies"], "properties": {"planID": uuid, "revision": {"type": "integer"}, "copies": {"type": "integer"}}},
 "Plate": {"type": "object", "required": ["id","items","status","outcomes","createdAt","updatedAt"], "properties": {"id": uuid, "items": {"type": "array", "items": ref("PlateItem")}, "status": {"type": "string", "enum": ["composing","frozen","discarded"]}, "gcodeArtifact": {"type": "string", "description": "SHA-256 of the sliced G-code"}, "outcomes": {"type": "array", "items": {"type": "object"}}, "createdAt": ts, "updatedAt": ts}},
 "ComposePlate": {"type": "object", "required": ["items"], "properties": {"id": uuid, "items": {"type": "array", "minItems": 1, "items": ref("PlateItem")}, "gcode": {"type": "string", "description": "SHA-256 of a G-code artifact; with it the plate is frozen at once"}, "reason": reason, "note": note}},
 "ScheduleRun": {"type": "object", "required": ["plateID","printerID"], "properties": {"id": uuid, "plateID": uuid, "printerID": uuid, "reason": reason, "note": note}},
 "Run": {"type": "object", "required": ["id","plateID","printerID","items","status","inspections","scheduledAt","updatedAt"], "properties": {"id": uuid, "plateID": uuid, "printerID": uuid, "items": {"type": "array", "items": ref("PlateItem")}, "status": {"type": "string", "enum": run_status}, "dispatchToken": {"type": "string"}, "progress": {"type": "object", "properties": {"fraction": {"type": "number"}, "layer": {"type": "integer"}, "totalLayers": {"type": "integer"}, "elapsedSeconds": {"type": "number"}, "remainingSeconds": {"type": "number"}}}, "failure": {"type": "string"}, "inspections": {"type": "array", "items": {"type": "object", "properties": {"planID": uuid, "passed": {"type": "boolean"}, "reason": {"type": "string"}, "at": ts}}}, "scheduledAt": ts, "startedAt": ts, "endedAt": ts, "updatedAt": ts}},
 "CloudEvent": {"type": "object", "description": "CloudEvents 1.0 JSON with the farm's extensions.", "required": ["specversion","id","source","type","subject","time","datacontenttype","sequence","streamversion","actor","reason","data"], "properties": {"specversion": {"const": "1.0"}, "id": {"type": "string", "description": "UUIDv7"}, "source": {"type": "string"}, "type": {"type": "string", "examples": ["printfarm.run.started.v1"]}, "subject": {"type": "string", "description": "The stream, e.g. run-<id>"}, "time": ts, "datacontenttype": {"const": "application/json"}, "sequence": {"type": "integer"}, "streamversion": {"type": "integer"}, "actor": {"type": "string", "examples": ["user:ada", "apikey:bootstrap"]}, "reason": {"type": "string"}, "correlationid": {"type": "string"}, "causationid": {"type": "string"}, "data": {"type": "object"}}},
 "APIKey": {"type": "object", "required": ["id","name","scope","keyID","createdBy","revoked","createdAt"], "properties": {"id": uuid, "name": {"type": "string"}, "scope": {"type": "string", "enum": ["read","operate","admin"]}, "keyID": {"type": "string", "description": "The public part of the key (pfk_<keyID>_…)."}, "createdBy": {"type": "string"}, "revoked": {"type": "boolean"}, "createdAt": ts, "lastUsedAt": ts}},
 "CreateAPIKey": {"type": "object", "required": ["name","scope"], "properties": {"name": {"type": "string", "maxLength": 100}, "scope": {"type": "string", "enum": ["read","operate","admin"]}, "reason": reason, "note": note}},
 "CreatedAPIKey": {"type": "object", "required": ["apiKey","key"], "properties": {"apiKey": ref("APIKey"), "key": {"type": "string", "description": "The whole key, shown in this response only."}}},
 "User": {"type": "object", "required": ["id","username","role","disabled","totpEnabled","failedLogins","createdAt","updatedAt"], "properties": {"id": uuid, "username": {"type": "string"}, "role": {"type": "string", "enum": ["viewer","operator","owner"]}, "disabled": {"type": "boolean"}, "totpEnabled": {"type": "boolean"}, "passwordChangedAt": ts, "failedLogins": {"type": "integer"}, "lockedUntil": ts, "createdAt": ts, "updatedAt": ts}},
 "CreateUser": {"type": "object", "required": ["username","role","password"], "properties": {"username": {"type": "string", "pattern": "^[a-z0-9._-]{1,64}$"}, "role": {"type": "string", "enum": ["viewer","operator","owner"]}, "password": {"type": "string", "minLength": 12, "description": "12 characters to 72 bytes."}, "reason": reason, "note": note}},
 "SignIn": {"type": "object", "required": ["username","password"], "properties": {"username": {"type": "string", "maxLength": 64}, "password": {"type": "string", "maxLength": 1024}, "totp": {"type": "string", "description": "Authenticator code or a recovery code, when the account has TOTP."}, "cookie": {"type": "boolean", "description": "For browsers: put the session in an HttpOnly, SameSite=Strict cookie and return a csrfToken instead of the token."}}},
 "SignedIn": {"type": "object", "required": ["expiresAt","user"], "properties": {"token": {"type": "string", "description": "Send as Authorization: Bearer <token>. HS256 JWT, valid until expiresAt unless revoked."}, "csrfToken": {"type": "string", "description": "Cookie sessions: send as X-CSRF-Token with every change."}, "expiresAt": ts, "user": ref("User")}},
 "Finding": {"type": "object", "required": ["code","severity","message"], "properties": {"code": {"type": "string", "examples": ["geometry.openEdges", "size.noPrinter"]}, "severity": {"type": "string", "enum": ["info","warn","fail"]}, "message": {"type": "string"}}},
 "ModelFacts": {"type": "object", "description": "Geometry facts in millimetres.", "required": ["format","triangles","vertices","volume","surfaceArea","shells","openEdges","nonManifoldEdges","inconsistentEdges","degenerateTriangles","nonFiniteCoordinates","overhangArea","overhangAngle","footprint","unitsGuess","objectNames","readerNotes"], "properties": {
   "format": {"type": "string", "enum": ["stl-binary","stl-ascii","3mf"]}, "triangles": {"type": "integer"}, "vertices": {"type": "integer"}, "size": vol, "volume": {"type": "number", "description": "mm³, signed: negative when inside out"}, "surfaceArea": {"type": "number"},
   "shells": {"type": "integer"}, "openEdges": {"type": "integer"}, "nonManifoldEdges": {"type": "integer"}, "inconsistentEdges": {"type": "integer"}, "degenerateTriangles": {"type": "integer"}, "nonFiniteCoordinates": {"type": "integer"},
   "overhangArea": {"type": "number"}, "overhangAngle": {"type": "number"}, "footprint": {"type": "array", "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}, "description": "Convex hull seen from above, counter-clockwise"},
   "wallThickness": {"type": "object", "properties": {k: {"type": "number"} for k in ["samples","minimum","percentile1","percentile5","median"]}},
   "unitsGuess": {"type": "string", "enum": ["millimetres","probablyMetres","perhapsInches","declared"]}, "declaredUnit": {"type": "string"}, "objectNames": {"type": "array", "items": {"type": "string"}}, "readerNotes": {"type": "array", "items": ref("Finding")}}},
 "Artifact": {"type": "object", "required": ["sha256","size","mediaType","kind","names","uploadedBy","uploadedAt","updatedAt"], "properties": {
   "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "size": {"type": "integer"}, "mediaType": {"type": "string"}, "kind": {"type": "string", "enum": ["model","gcode","image","log","profile","other"]},
   "names": {"type": "array", "items": {"type": "string"}}, "uploadedBy": {"type": "string"}, "uploadedAt": ts, "analysis": ref("ModelFacts"), "analysisFailure": ref("Finding"), "analyser": {"type": "integer"}, "updatedAt": ts}},
 "Verdict": {"type": "object", "required": ["outcome","findings","material","printers"], "properties": {"outcome": {"type": "string", "enum": ["pass","warn","fail"]}, "findings": {"type": "array", "items": ref("Finding")}, "material": {"type": "string"}, "massGrams": {"type": "number"}, "printers": {"type": "array", "items": {"type": "string"}, "description": "Printers that can make it (size and material)"}}},
 "LineItemPreflight": {"type": "object", "required": ["lineItemID","verdict"], "properties": {"lineItemID": uuid, "artifact": {"type": "string"}, "verdict": ref("Verdict")}},
 "GCodeFacts": {"type": "object", "required": ["layerCount","layerHeights","maxZ","objects","thumbnails","settings"], "properties": {
   "generator": {"type": "string"}, "estimatedSeconds": {"type": "integer"}, "estimatedSilentSeconds": {"type": "integer"}, "filamentMillimetres": {"type": "number"},
   "filamentCubicCentimetres": {"type": "number"}, "filamentGrams": {"type": "number"}, "filamentCost": {"type": "number"}, "layerCount": {"type": "integer"},
   "layerHeights": {"type": "array", "items": {"type": "number"}}, "firstLayerHeight": {"type": "number"}, "maxZ": {"type": "number"},
   "objects": {"type": "array", "items": {"type": "string"}}, "thumbnails": {"type": "array", "items": {"type": "string"}}, "settings": {"type": "object", "additionalProperties": {"type": "string"}},
   "placements": {"type": "array", "description": "Labelled objects and the XY extent (mm) of their extrusions; absent when no object was labelled", "items": {"type": "object", "required": ["name","minX","minY","maxX","maxY"], "properties": {
     "name": {"type": "string"}, "id": {"type": "integer"}, "copy": {"type": "integer"}, "minX": {"type": "number"}, "minY": {"type": "number"}, "maxX": {"type": "number"}, "maxY": {"type": "number"}}}}}},
 "Slice": {"type": "object", "required": ["key","inputs","gcode","gcodeSize","facts","pinnedToOneCore","slicerSeconds","at"], "properties": {
   "key": {"type": "string", "description": "SHA-256 of the inputs: the cache key"},
   "inputs": {"type": "object", "required": ["model","profile","slicer","copies"], "properties": {"model": {"type": "string"}, "profile": {"type": "string"}, "slicer": {"type": "string"}, "copies": {"type": "integer"}, "plate": {"type": "array", "items": {"type": "object", "properties": {"model": {"type": "string"}, "copies": {"type": "integer"}}}}}},
   "gcode": {"type": "string", "description": "The G-code artifact's SHA-256"}, "gcodeSize": {"type": "integer"}, "facts": ref("GCodeFacts"),
   "pinnedToOneCore": {"type": "boolean", "description": "Sliced on one core because the profile (Arachne) is reproducible only so"}, "slicerSeconds": {"type": "number"}, "at": ts}},
 "ProfileBinding": {"type": "object", "required": ["id","printerModel","material","profile","history","updatedAt"], "properties": {"id": {"type": "string"}, "printerModel": {"type": "string"}, "material": {"type": "string"}, "profile": {"type": "string"}, "history": {"type": "array", "items": {"type": "object", "properties": {"profile": {"type": "string"}, "by": {"type": "string"}, "at": ts}}}, "updatedAt": ts}},
 "StoredProfile": {"type": "object", "required": ["version","settings","reproducibleInParallel","artifact"], "properties": {"version": {"type": "string"}, "settings": {"type": "integer"}, "reproducibleInParallel": {"type": "boolean"}, "artifact": ref("Artifact")}},
 "Health": {"type": "object", "required": ["status","database","schemaVersion","headSequence"], "properties": {"status": {"const": "ok"}, "database": {"type": "string", "enum": ["sqlite","postgres"]}, "schemaVersion": {"type": "integer"}, "headSequence": {"type": "integer"}}},
}
paths = {
 "/healthz": {"get": op("health", "Liveness and database reachability", "system", {**ok(ref("Health"), headers=None), "503": problem(503, "The database cannot be reached")}, public=True)},
 "/metrics": {"get": op("metrics", "Prometheus metrics (public only with --public-metrics)", "system", {"200": {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}, **errs("401")})},
 "/api/v1/openapi.json": {"get": op("openapi", "This document", "system", {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}, public=True)},
 "/api/v1/intents": {
   "post": op("createIntent", "Receive an intent (customer order)", "intents", {**ok(ref("Intent"), "Created", "201"), **ok(ref("Intent"), "Already received with the same content"), **errs("400","401","409","413","415","422")}, mut, body(ref("CreateIntent"))),
   "get": op("listIntents", "List intents, oldest first", "intents", {**ok(page("Intent"), headers=None), **errs("400","401")}, [status(intent_status), after, limit(50, 500)])},
 "/api/v1/intents/{id}": {"get": op("getIntent", "One intent", "intents", {**ok(ref("Intent")), **errs("400","401","404")}, [idp])},
 "/api/v1/intents/{id}/transitions": {"post": op("transitionIntent", "Move an intent along its lifecycle", "intents", {**ok(ref("Intent")), **errs("400","401","404","409","412","422")}, [idp, ifmatch] + mut, body(ref("IntentTransition")))},
 "/api/v1/intents/{id}/preflight": {"post": op("preflightIntent", "Run preflight again (after adding a printer or replacing a model); a failure moves the intent to needsReview", "intents", {**ok(ref("Intent")), **errs("400","401","404","409")}, [idp] + mut)},
 "/api/v1/intents/{id}/quotes": {"post": op("quoteIntent", "Quote a line item: a manual price with a note, or an estimate from its slice (line by line, exact decimals as strings)", "intents",
   {**ok(ref("Intent")), **errs("400","401","404","409","412","413","415","422")}, [idp, ifmatch] + mut,
   body({"type": "object", "required": ["lineItemID"], "properties": {"lineItemID": uuid, "price": {"type": ["number", "string"], "pattern": "^-?[0-9]*\\.?[0-9]+$", "description": "Manual quote: a decimal string such as \"19.90\" (exact) or a number"}, "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}, "note": note, "slice": {"type": "string", "description": "Estimate from this slice key"}, "printerClass": {"type": "string", "default": "standard"}, "reason": reason}}))},
 "/api/v1/artifacts": {
   "post": op("uploadArtifact", "Upload a file (raw body with ?name=, or multipart/form-data field 'file'); streamed to disk, stored by SHA-256; models are analysed", "artifacts",
     {**ok(ref("Artifact"), "Stored", "201"), **ok(ref("Artifact"), "These bytes were already stored"), "400": problem(400, "upload-malformed"), **errs("401","413"), "422": problem(422, "upload-empty")},
     [{"name": "name", "in": "query", "description": "File name for a raw upload (else Content-Disposition's filename).", "schema": {"type": "string"}}, corr],
     {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}, "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}),
   "get": op("listArtifacts", "List artifacts, in hash order", "artifacts", {**ok(page("Artifact"), headers=None), **errs("400","401")}, [{"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["model","gcode","image","log","profile","other"]}}, {"name": "after", "in": "query", "description": "Cursor: the `next` of the previous page.", "schema": {"type": "string"}}, limit(50, 500)])},
 "/api/v1/artifacts/{sha256}": {"get": op("getArtifact", "An artifact's metadata and model analysis", "artifacts", {**ok(ref("Artifact")), **errs("400","401","404")}, [{"name": "sha256", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}])},
 "/api/v1/artifacts/{sha256}/content": {"get": op("downloadArtifact", "The bytes; ETag is the SHA-256; honours If-None-Match, Range and If-Range", "artifacts",
   {"200": {"description": "The whole file", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, "206": {"description": "The requested byte range (Content-Range)"}, "304": {"description": "Not modified"}, **errs("400","401","404"), "416": problem(416, "range-not-satisfiable")},
   [{"name": "sha256", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}, {"name": "Range", "in": "header", "schema": {"type": "string", "examples": ["bytes=0-1023"]}}, {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}}])},
 "/api/v1/profiles": {"post": op("uploadProfile", "Store a complete PrusaSlicer profile (.ini as text); its version is its SHA-256; checked against the slicer's settings", "slicing",
   {**ok(ref("StoredProfile"), "Stored", "201", headers=None), **ok(ref("StoredProfile"), "Already stored", headers=None), **errs("401","413"), "422": problem(422, "invalid-profile (unknown or missing settings, a preset bundle, not key = value)"), "503": problem(503, "slicer-missing")},
   [{"name": "name", "in": "query", "schema": {"type": "string"}}, corr], {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}})},
 "/api/v1/slices": {
   "post": op("slice", "Slice a stored model with a stored profile; the same inputs are a cache hit (X-Slice-Cache: hit)", "slicing",
     {**ok(ref("Slice"), "Sliced now", "201"), **ok(ref("Slice"), "From the cache"), **errs("400","401","413","415"), "422": problem(422, "slice-failed (with the slicer's reason and words), or a model or profile that is not stored or failed preflight"), "503": problem(503, "slicer-missing")},
     mut, body({"type": "object", "properties": {"model": {"type": "string", "description": "Model artifact SHA-256"}, "plate": {"type": "array", "minItems": 2, "maxItems": 20, "description": "Several models on one plate (arranged by the slicer); objects are labelled item<N>-<name>", "items": {"type": "object", "required": ["model","copies"], "properties": {"model": {"type": "string"}, "copies": {"type": "integer", "minimum": 1, "maximum": 50}}}}, "profile": {"type": "string", "description": "Profile version; or leave it out and give printerModel and material to use their binding"}, "printerModel": {"type": "string"}, "material": {"type": "string"}, "copies": {"type": "integer", "minimum": 1, "maximum": 100, "default": 1}}})),
   "get": op("listSlices", "List slices, by model", "slicing", {**ok(page("Slice"), headers=None), **errs("400","401")}, [{"name": "model", "in": "query", "schema": {"type": "string"}}, {"name": "after", "in": "query", "schema": {"type": "string"}}, limit(50, 500)])},
 "/api/v1/profile-bindings": {
   "post": op("bindProfile", "Bind a profile version to a printer model and material (an earlier version rolls back); new slices use it at once", "slicing",
     {**ok(ref("ProfileBinding"), "Bound", "201"), **ok(ref("ProfileBinding"), "Bound (changed, or already this version)"), **errs("400","401","413","415","422")}, mut,
     body({"type": "object", "required": ["printerModel","material","profile"], "properties": {"printerModel": {"type": "string"}, "material": {"type": "string"}, "profile": {"type": "string"}, "reason": reason, "note": note}})),
   "get": op("listProfileBindings", "List profile bindings", "slicing", {**ok(page("ProfileBinding"), headers=None), **errs("400","401")}, [{"name": "after", "in": "query", "schema": {"type": "string"}}, limit(50, 500)])},
 "/api/v1/profiles/{from}/diff/{to}": {"get": op("diffProfiles", "Settings that differ between two profile versions, old → new", "slicing",
   {**ok({"type": "object", "required": ["from","to","changed"], "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "changed": {"type": "array", "items": {"type": "object", "required": ["key"], "properties": {"key": {"type": "string"}, "old": {"type": ["string","null"]}, "new": {"type": ["string","null"]}}}}}}, headers=None), **errs("400","401","404")},
   [{"name": "from", "in": "path", "required": True, "schema": {"type": "string"}}, {"name": "to", "in": "path", "required": True, "schema": {"type": "string"}}])},
 "/api/v1/slices/{key}": {"get": op("getSlice", "One slice", "slicing", {**ok(ref("Slice")), **errs("400","401","404")}, [{"name": "key", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}])},
 "/api/v1/plans": {
   "post": op("createPlan", "Create a plan for a line item (revision 1 as a draft)", "plans", {**ok(ref("Plan"), "Created", "201"), **ok(ref("Plan"), "Already created with the same content"), **errs("400","401","409","413","415","422")}, mut, body(ref("CreatePlan"))),
   "get": op("listPlans", "List plans, oldest first", "plans", {**ok(page("Plan"), headers=None), **errs("400","401")}, [status(revision_status), {"name": "intent", "in": "query", "schema": uuid}, after, limit(50, 500)])},
 "/api/v1/plans/{id}": {"get": op("getPlan", "One plan with all its revisions", "plans", {**ok(ref("Plan")), **errs("400","401","404")}, [idp])},
 "/api/v1/plans/{id}/revisions": {
   "get": op("listPlanRevisions", "A plan's revisions, oldest first", "plans", {**ok({"type": "object", "properties": {"items": {"type": "array", "items": ref("PlanRevision")}}}), **errs("400","401","404")}, [idp]),
   "post": op("draftPlanRevision", "Draft a new immutable revision", "plans", {**ok(ref("Plan")), **errs("400","401","404","409","412","422")}, [idp, ifmatch] + mut, body(ref("DraftRevision")))},
 "/api/v1/plans/{id}/revisions/{revision}/approve": {"post": op("approvePlanRevision", "Approve a revision; the one approved before is superseded", "plans", {**ok(ref("Plan")), **errs("400","401","404","409","412","422")}, [idp, {"name": "revision", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}, ifmatch] + mut, body(ref("Reason")))},
 "/api/v1/printers": {
   "post": op("registerPrinter", "Register a printer", "printers", {**ok(ref("Printer"), "Created", "201"), **ok(ref("Printer"), "Already registered"), **errs("400","401","409","413","415","422")}, mut, body(ref("RegisterPrinter"))),
   "get": op("listPrinters", "List printers", "printers", {**ok(page("Printer"), headers=None), **errs("400","401")}, [status(printer_status), after, limit(50, 500)])},
 "/api/v1/printers/{id}": {"get": op("getPrinter", "One printer", "printers", {**ok(ref("Printer")), **errs("400","401","404")}, [idp])},
 "/api/v1/printers/{id}/api-key": {"put": op("setPrinterAPIKey", "Set (or with null remove) the key the farm uses to reach the printer's host; it is kept as a secret and never shown", "printers", {"204": {"description": "Stored; the printer is reconnected with it"}, **errs("400","401","403","404","413","415","422")}, [idp], body({"type": "object", "required": ["apiKey"], "properties": {"apiKey": {"type": ["string", "null"], "minLength": 1, "maxLength": 200}}}))},
 "/api/v1/plates": {
   "post": op("composePlate", "Compose a build plate of plan revisions; with `gcode` it is frozen at once and can be scheduled", "plates", {**ok(ref("Plate"), "Created", "201"), **errs("400","401","403","409","413","415","422")}, mut, body(ref("ComposePlate"))),
   "get": op("listPlates", "List plates, oldest first", "plates", {**ok(page("Plate"), headers=None), **errs("400","401")}, [status(["composing","frozen","discarded"]), after, limit(50, 500)])},
 "/api/v1/plates/{id}": {"get": op("getPlate", "One plate", "plates", {**ok(ref("Plate")), **errs("400","401","404")}, [idp])},
 "/api/v1/runs": {
   "post": op("scheduleRun", "Schedule a frozen plate on a printer; the farm dispatches it when the printer is free (idle, no job, not desynced, degraded or in maintenance)", "runs", {**ok(ref("Run"), "Created", "201"), **ok(ref("Run"), "Already scheduled"), **errs("400","401","403","409","413","415","422")}, mut, body(ref("ScheduleRun"))),
   "get": op("listRuns", "List runs, oldest first", "runs", {**ok(page("Run"), headers=None), **errs("400","401")}, [status(run_status), {"name": "printer", "in": "query", "schema": uuid}, after, limit(50, 500)])},
 "/api/v1/runs/{id}": {"get": op("getRun", "One run", "runs", {**ok(ref("Run")), **errs("400","401","404")}, [idp])},
 "/api/v1/runs/{id}/pause": {"post": op("pauseRun", "Pause a printing run on its printer; answers once the machine reports it paused", "runs", {**ok(ref("Run")), **errs("400","401","403","404","409","422","502","504")}, [idp] + mut, {"required": False, "content": {"application/json": {"schema": ref("Reason")}}})},
 "/api/v1/runs/{id}/resume": {"post": op("resumeRun", "Resume a paused run; answers once the machine reports it printing", "runs", {**ok(ref("Run")), **errs("400","401","403","404","409","422","502","504")}, [idp] + mut, {"required": False, "content": {"application/json": {"schema": ref("Reason")}}})},
 "/api/v1/runs/{id}/cancel": {"post": op("cancelRun", "Cancel a run: at once when not yet on its printer, else on the machine, answering once it reports the cancel (409 run-dispatching while it is being sent)", "runs", {**ok(ref("Run")), **errs("400","401","403","404","409","422","502","504")}, [idp] + mut, {"required": False, "content": {"application/json": {"schema": ref("Reason")}}})},
 "/api/v1/sessions": {"post": op("signIn", "Sign in with username, password and (when enabled) TOTP", "sessions", {**ok(ref("SignedIn"), "Signed in", "201", headers=None), "401": problem(401, "invalid-credentials or totp-required"), "429": problem(429, "account-locked after repeated failures"), **errs("400","413","415","422")}, None, body(ref("SignIn")), public=True)},
 "/api/v1/sessions/current": {"delete": op("signOut", "Sign out: the session token is refused from now on", "sessions", {"204": {"description": "Signed out"}, **errs("400","401")})},
 "/api/v1/users": {
   "post": op("createUser", "Create a user with a role and an initial password", "users", {**ok(ref("User"), "Created", "201"), **errs("400","401","409","413","415","422")}, mut, body(ref("CreateUser"))),
   "get": op("listUsers", "List users", "users", {**ok(page("User"), headers=None), **errs("400","401")}, [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["active","disabled"]}}, after, limit(50, 500)])},
 "/api/v1/users/{id}": {"get": op("getUser", "One user", "users", {**ok(ref("User")), **errs("400","401","404")}, [idp])},
 "/api/v1/users/{id}/disable": {"post": op("disableUser", "Disable a user; their sessions end at once", "users", {**ok(ref("User")), **errs("400","401","404","412","422")}, [idp, ifmatch] + mut, body(ref("Reason")))},
 "/api/v1/users/{id}/enable": {"post": op("enableUser", "Enable a disabled user", "users", {**ok(ref("User")), **errs("400","401","404","412","422")}, [idp, ifmatch] + mut, body(ref("Reason")))},
 "/api/v1/users/{id}/role": {"post": op("changeUserRole", "Change a user's role", "users", {**ok(ref("User")), **errs("400","401","404","412","422")}, [idp, ifmatch] + mut, body({"type": "object", "required": ["role"], "properties": {"role": {"type": "string", "enum": ["viewer","operator","owner"]}, "reason": reason, "note": note}}))},
 "/api/v1/users/me/password": {"post": op("changePassword", "Change your own password; your other sessions end", "users", {**ok(ref("User")), **errs("400","401","422")}, mut, body({"type": "object", "required": ["currentPassword","newPassword"], "properties": {"currentPassword": {"type": "string"}, "newPassword": {"type": "string", "minLength": 12}}}))},
 "/api/v1/users/me/totp": {"post": op("beginTOTP", "Start two-factor enrolment: returns an otpauth:// URI with a new secret", "users", {**ok({"type": "object", "required": ["otpauthURI"], "properties": {"otpauthURI": {"type": "string"}}}, "Enrolment started", "201", headers=None), "409": problem(409, "totp-already-enabled"), **errs("400","401")})},
 "/api/v1/users/me/totp/confirm": {"post": op("confirmTOTP", "Confirm a code from the new secret: two-factor sign-in is on; returns ten one-time recovery codes", "users", {**ok({"type": "object", "required": ["recoveryCodes"], "properties": {"recoveryCodes": {"type": "array", "items": {"type": "string"}}}}, headers=None), "409": problem(409, "totp-not-started"), **errs("400","401","422")}, None, body({"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}}))},
 "/api/v1/api-keys": {
   "post": op("createAPIKey", "Create an API key; the response shows the key once (Cache-Control: no-store)", "api-keys", {**ok(ref("CreatedAPIKey"), "Created", "201"), **errs("400","401","409","413","415","422")}, mut, body(ref("CreateAPIKey"))),
   "get": op("listAPIKeys", "List API keys with their last use (never their secrets)", "api-keys", {**ok(page("APIKey"), headers=None), **errs("400","401")}, [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["active","revoked"]}}, after, limit(50, 500)])},
 "/api/v1/api-keys/{id}": {"get": op("getAPIKey", "One API key", "api-keys", {**ok(ref("APIKey")), **errs("400","401","404")}, [idp])},
 "/api/v1/api-keys/{id}/revoke": {"post": op("revokeAPIKey", "Revoke an API key for good; it is refused at once", "api-keys", {**ok(ref("APIKey")), **errs("400","401","404","412","422")}, [idp, ifmatch] + mut, body(ref("Reason")))},
 "/api/v1/events": {"get": op("listEvents", "The event log as CloudEvents, in sequence order", "events", {**ok({"type": "object", "required": ["events","next"], "properties": {"events": {"type": "array", "items": ref("CloudEvent")}, "next": {"type": "integer"}}}, headers=None), **errs("400","401")}, [{"name": "after", "in": "query", "description": "Sequence to start after (default 0).", "schema": {"type": "integer", "minimum": 0}}, limit(100, 1000)])},
 "/api/v1/events/stream": {"get": op("streamEvents", "Live CloudEvents as Server-Sent Events (id = sequence)", "events", {"200": {"description": "text/event-stream; resumes after Last-Event-ID", "content": {"text/event-stream": {"schema": {"type": "string"}}}}, **errs("400","401")}, [{"name": "Last-Event-ID", "in": "header", "schema": {"type": "integer"}}, {"name": "after", "in": "query", "description": "Start after this sequence; default: the current end.", "schema": {"type": "integer", "minimum": 0}}, {"name": "limit", "in": "query", "description": "Close the stream after this many events.", "schema": {"type": "integer", "minimum": 1}}])},
}
doc = {"openapi": "3.1.0", "info": {"title": "Print Farm OS API", "version": "1.0.0", "description": "The operations kernel of a 3D-print farm. Every change is an event; reads carry the version as ETag, writes take If-Match, mutating calls honour Idempotency-Key, errors are RFC 9457 problems with a stable code.", "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}},
 "servers": [{"url": "/"}], "security": sec,
 "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "The farm's API token (data directory's api-token file, or PRINTFARM_API_TOKEN)."}}, "schemas": schemas},
 "paths": paths}
import os, pathlib
out = pathlib.Path(__file__).resolve().parent.parent / "Sources/FarmServer/Resources/openapi.json"
out.write_text(json.dumps(doc, indent=1) + "\n")
