import { ButtonLink } from "@/components/ui/button";

export default function NotFound() {
  return (
    <div className="py-16 text-center">
      <p className="text-sm font-semibold text-brand-700">404</p>
      <h1 className="mt-2 text-2xl font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-slate-600">This page does not exist, or you do not have access to it.</p>
      <ButtonLink href="/persons" variant="secondary" className="mt-6">
        Back to persons
      </ButtonLink>
    </div>
  );
}
