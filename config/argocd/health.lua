-- Argo CD health check for the aclop.dev kinds (O12): the same script under resource.customizations.health.aclop.dev_RedisAclServer, _RedisAcl and _RedisAclUser.
-- Reads the kstatus conditions the operator writes: Healthy when Ready=True for the current generation; Progressing
-- while there is no status, the status lags the spec or Reconciling=True; Degraded when Stalled=True or Valid=False,
-- with that condition's message. Written for Argo CD's Lua 5.1 (gopher-lua); tested with lua5.4.
local hs = {}

local function current(condition, generation)
  -- A condition written for an older generation says nothing about the current spec.
  return condition.observedGeneration == nil or generation == nil or condition.observedGeneration == generation
end

local function find(conditions, wanted, generation)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if condition.type == wanted and current(condition, generation) then
      return condition
    end
  end
  return nil
end

local function describe(condition, fallback)
  if condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  if condition.reason ~= nil and condition.reason ~= "" then
    return condition.reason
  end
  return fallback
end

local generation = obj.metadata.generation
local status = obj.status
if status == nil or status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report the status of this " .. (obj.kind or "object")
  return hs
end
if generation ~= nil and status.observedGeneration ~= generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local stalled = find(status.conditions, "Stalled", generation)
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled, "Stalled")
  return hs
end
local valid = find(status.conditions, "Valid", generation)
if valid ~= nil and valid.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(valid, "Invalid")
  return hs
end
local reconciling = find(status.conditions, "Reconciling", generation)
if reconciling ~= nil and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = describe(reconciling, "Reconciling")
  return hs
end
local ready = find(status.conditions, "Ready", generation)
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
  return hs
end
hs.status = "Progressing"
if ready ~= nil then
  hs.message = describe(ready, "Not ready")
else
  hs.message = "Waiting for the Ready condition"
end
return hs
