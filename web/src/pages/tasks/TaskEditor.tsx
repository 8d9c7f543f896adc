import { type FormEvent, useState } from 'react';
import { ApiError, getAll, post, put } from '../../api/client.ts';
import type { ChannelView, CommandView, ModuleView, TaskDef, TaskView } from '../../api/types.ts';
import { FieldErrors } from '../../components/field-errors.tsx';
import { Check, ErrorNote, Field } from '../../components/ui.tsx';
import { useResource } from '../../lib/use-resource.ts';
import { fromZoneInput, knownZone, toZoneInput } from '../../lib/zone-time.ts';
import { useSession } from '../../session.tsx';
import { BlackoutsEditor } from './BlackoutsEditor.tsx';
import { JobList } from './JobList.tsx';
import { NotifyRulesEditor } from './NotifyRulesEditor.tsx';
import { RolloutEditor } from './RolloutEditor.tsx';
import { type Schedule, ScheduleEditor, scheduleZone } from './ScheduleEditor.tsx';
import { SchedulePreview } from './SchedulePreview.tsx';
import type { AgentChoice } from './TargetsEditor.tsx';
import { TimeslotGrid } from './TimeslotGrid.tsx';

/** What the job editors choose from; agents are null on a server without the agents API. */
function useChoices() {
  return useResource('task-choices', async () => {
    const [modules, commands, agents, channels] = await Promise.all([
      getAll<ModuleView>('/api/v1/modules'),
      getAll<CommandView>('/api/v1/commands').catch(() => [] as CommandView[]),
      getAll<AgentChoice>('/api/v1/agents').catch(() => null),
      getAll<ChannelView>('/api/v1/channels').catch(() => [] as ChannelView[]),
    ]);
    return { modules, commands, agents, channels: channels.map((c) => c.name) };
  });
}

/**
 * Creates or edits a task: general settings, the schedule with a live preview, the
 * timeslot grid, blackouts, the ordered jobs and their staged rollout. Only what the
 * server accepts is saved; its message names the field ("jobs[0].delay: …"). Read-only
 * for viewers.
 */
export function TaskEditor(props: { initial: TaskDef; taskId?: string; onSaved(task: TaskView): void }) {
  const { canOperate } = useSession();
  const [def, setDef] = useState<TaskDef>(props.initial);
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const choices = useChoices();
  // Wall times (active period, blackouts) are the task's, in its schedule's zone.
  const zone = knownZone(scheduleZone(def.schedule));
  const set = (patch: Partial<TaskDef>) => {
    setDef((d) => ({ ...d, ...patch }));
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const task = props.taskId
        ? await put<TaskView>(`/api/v1/tasks/${props.taskId}`, def)
        : await post<TaskView>('/api/v1/tasks', def);
      props.onSaved(task);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'client', String(err)));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="task-editor" onSubmit={save} aria-label={props.taskId ? 'Edit task' : 'New task'}>
      <FieldErrors error={error}>
        <fieldset disabled={!canOperate} className="plain">
          <fieldset>
            <legend>General</legend>
            <div className="row">
              <Field name="name" label="Name">
                <input required value={def.name} onChange={(e) => set({ name: e.target.value })} />
              </Field>
              <Field name="description" label="Description" wide>
                <input value={def.description} onChange={(e) => set({ description: e.target.value })} />
              </Field>
            </div>
            <div className="row">
              <Check label="Enabled" checked={def.enabled} onChange={(enabled) => set({ enabled })} />
              <Field name="mode" label="Mode" hint="push: the server wakes the agents">
                <select value={def.mode} onChange={(e) => set({ mode: e.target.value as TaskDef['mode'] })}>
                  <option value="pull">pull</option>
                  <option value="push">push</option>
                </select>
              </Field>
              {def.mode === 'push' ? (
                <Field name="fallback" label="If an agent cannot be woken">
                  <select
                    value={def.fallback}
                    onChange={(e) => set({ fallback: e.target.value as TaskDef['fallback'] })}
                  >
                    <option value="pull">wait for it to call</option>
                    <option value="error">fail its job</option>
                  </select>
                </Field>
              ) : null}
              <Field name="misfire" label="Missed firings">
                <select value={def.misfire} onChange={(e) => set({ misfire: e.target.value as TaskDef['misfire'] })}>
                  <option value="once">run once</option>
                  <option value="skip">skip</option>
                  <option value="all">run all (capped)</option>
                </select>
              </Field>
              <Field name="concurrency" label="Overlapping runs">
                <select
                  value={def.concurrency}
                  onChange={(e) => set({ concurrency: e.target.value as TaskDef['concurrency'] })}
                >
                  <option value="forbid">skip the new one</option>
                  <option value="allow">allow</option>
                  <option value="replace">replace the running one</option>
                  <option value="queue">queue</option>
                </select>
              </Field>
              <Field name="expireAfter" label="Expire after" hint="prepared work no agent took">
                <input value={def.expireAfter} onChange={(e) => set({ expireAfter: e.target.value })} />
              </Field>
            </div>
            <div className="row">
              <Field name="activeFrom" label="Active from (optional)" hint={`in ${zone}`}>
                <input
                  type="datetime-local"
                  value={toZoneInput(def.activeFrom, zone)}
                  onChange={(e) => set({ activeFrom: fromZoneInput(e.target.value, zone) })}
                />
              </Field>
              <Field name="activeTill" label="Active until (optional)" hint={`in ${zone}`}>
                <input
                  type="datetime-local"
                  value={toZoneInput(def.activeTill, zone)}
                  onChange={(e) => set({ activeTill: fromZoneInput(e.target.value, zone) })}
                />
              </Field>
            </div>
          </fieldset>
          <div className="schedule-block">
            <ScheduleEditor value={def.schedule as Schedule} onChange={(schedule) => set({ schedule })} />
            <SchedulePreview
              schedule={def.schedule}
              timeslots={def.timeslots}
              blackouts={def.blackouts}
              activeFrom={def.activeFrom}
              activeTill={def.activeTill}
              calendars={def.calendars}
            />
          </div>
          <TimeslotGrid value={def.timeslots} onChange={(timeslots) => set({ timeslots })} readOnly={!canOperate} />
          <div className="row">
            <Field
              name="timeslotEnd"
              label="When the window closes"
              hint="what running work does at the end of a timeslot, a blackout's start or activeTill; agent jobs cannot pause: they finish"
            >
              <select
                value={def.timeslotEnd}
                onChange={(e) => set({ timeslotEnd: e.target.value as TaskDef['timeslotEnd'] })}
              >
                <option value="finish">let running work finish</option>
                <option value="cancel">cancel running work</option>
                <option value="pause">pause server work until the next opening</option>
              </select>
            </Field>
          </div>
          <BlackoutsEditor
            value={def.blackouts}
            tz={zone}
            onChange={(blackouts) => set({ blackouts })}
            readOnly={!canOperate}
          />
          <div className="row">
            <Field
              name="calendars"
              label="Calendars"
              hint="shared calendars (Admin › Calendars) whose blackouts apply too, comma-separated"
            >
              <input
                value={def.calendars.join(', ')}
                readOnly={!canOperate}
                onChange={(e) =>
                  set({
                    calendars: e.target.value
                      .split(',')
                      .map((name) => name.trim())
                      .filter(Boolean),
                  })
                }
              />
            </Field>
          </div>
          {choices.data ? (
            <>
              <JobList
                jobs={def.jobs}
                onChange={(jobs) => set({ jobs })}
                readOnly={!canOperate}
                modules={choices.data.modules}
                commands={choices.data.commands}
                agents={choices.data.agents}
              />
              <RolloutEditor value={def.rollout} onChange={(rollout) => set({ rollout })} />
              <fieldset className="notifications">
                <legend>Notifications</legend>
                <Check
                  label="Use the organisation's default rules"
                  checked={def.notify === undefined}
                  onChange={(useDefaults) => set({ notify: useDefaults ? undefined : [] })}
                />
                {def.notify === undefined ? null : (
                  <NotifyRulesEditor
                    rules={def.notify}
                    channels={choices.data.channels}
                    onChange={(notify) => set({ notify })}
                    readOnly={!canOperate}
                  />
                )}
              </fieldset>
            </>
          ) : (
            <ErrorNote error={choices.error} />
          )}
        </fieldset>
      </FieldErrors>
      {canOperate ? (
        <div className="save-bar">
          <ErrorNote error={error} />
          <button type="submit" className="primary" disabled={saving}>
            {saving ? 'Saving…' : props.taskId ? 'Save changes' : 'Create task'}
          </button>
        </div>
      ) : null}
    </form>
  );
}
