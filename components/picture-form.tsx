"use client";

import { useTranslations } from "next-intl";
import { Alert } from "./ui/card";
import { Button } from "./ui/button";
import { useFormAction } from "./ui/use-form-action";
import type { ActionState } from "@/lib/action-state";

export function PictureForm({
  personId,
  hasPicture,
  action,
}: {
  personId: string;
  hasPicture: boolean;
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
}) {
  const { state, formAction, onSubmit, pending } = useFormAction(action);
  const t = useTranslations("picture");
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-2" encType="multipart/form-data">
      <input type="hidden" name="id" value={personId} />
      <label htmlFor="picture" className="block text-sm font-medium text-slate-700">
        {hasPicture ? t("replace") : t("add")}
      </label>
      <input
        id="picture"
        name="picture"
        type="file"
        accept="image/png,image/jpeg,image/gif,image/webp"
        className="block w-full text-sm text-slate-600 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium"
      />
      <p className="text-xs text-slate-500">{t("formats")}</p>
      <div className="flex gap-2">
        <Button type="submit" variant="secondary" disabled={pending}>
          {t("upload")}
        </Button>
        {hasPicture ? (
          <Button type="submit" name="remove" value="true" variant="ghost" disabled={pending}>
            {t("remove")}
          </Button>
        ) : null}
      </div>
      {state.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
    </form>
  );
}
