import { type ButtonHTMLAttributes, useId } from 'react';
import { type Scope, useCan } from '../api/me';

/**
 * A button that writes: disabled, saying why, when the principal lacks the scope. The reason is visible
 * text (and the button's description), not only a tooltip.
 */
export function WriteButton({ scope, children, disabled, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { scope: Scope }) {
  const can = useCan(scope);
  const id = useId();
  return (
    <span className="write-button">
      <button type="button" {...rest} disabled={disabled || !can.allowed} aria-describedby={can.allowed ? undefined : id}>
        {children}
      </button>
      {!can.allowed && (
        <small id={id} className="why-disabled">
          {can.reason}
        </small>
      )}
    </span>
  );
}
